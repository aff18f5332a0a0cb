/**
 * libmtmd.so from scripts/build-native-extras.sh loads beside the prebuilt libllama of the same release,
 * reports its media marker, and loads the synthetic projector for the synthetic model: a prompt with an
 * image becomes text tokens plus one image chunk of imageTokens() entries, evaluated into a sequence.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesizeProjector, imageTokens } from "../../src/gguf/synth/projector.ts";
import { Context } from "../../src/llama/engine/context.ts";
import { Model } from "../../src/llama/engine/model.ts";
import { Projector } from "../../src/llama/engine/vision.ts";
import { ImageInputError, ProjectorLoadError } from "../../src/llama/ffi/mtmd-errors.ts";
import { mtmdInfo } from "../../src/llama/ffi/mtmd.ts";
import { visionModel } from "../fixtures/models.ts";
import { useNativeBackend } from "../helpers/native.ts";
import { buildVisionExtras, MARKER } from "./helpers.ts";
import { corruptPng, imageInput, png, ppm } from "./images.ts";

const extras = buildVisionExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`vision native tests skipped: ${skip}`);

describe.skipIf(skip !== null)("native extras: libmtmd", () => {
  const dir = "dir" in extras ? extras.dir : "";
  let model: Model;
  let ctx: Context;
  let projector: Projector;

  beforeAll(async () => {
    useNativeBackend();
    const files = await visionModel();
    model = Model.load(files.model);
    ctx = new Context(model, { nCtx: 512, nBatch: 512, nSeqMax: 1, nThreads: 2, kvUnified: true });
    projector = Projector.load(files.projector, model, { threads: 2, useGpu: false });
  });
  afterAll(() => {
    projector?.dispose();
    ctx?.dispose();
    model?.dispose();
  });

  test("is built from the prebuilt libraries' release and reports mtmd's marker", () => {
    const meta = JSON.parse(readFileSync(join(dir, "libmtmd.json"), "utf8"));
    const prebuilt = JSON.parse(
      readFileSync(
        join(
          import.meta.dir,
          "../../node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/_nlcBuildMetadata.json",
        ),
        "utf8",
      ),
    );
    expect(meta.release).toBe(prebuilt.buildOptions.llamaCpp.release);
    const info = mtmdInfo();
    expect(info.file).toBe(join(dir, "libmtmd.so"));
    expect(info.marker).toBe(MARKER);
    expect(meta.marker).toBe(MARKER);
    expect(projector.marker).toBe(MARKER);
  });

  test("a prompt with images tokenizes into text and image chunks placed at their markers", () => {
    const a = imageInput(png());
    const b = imageInput(ppm());
    const p = projector.tokenize(ctx, `one ${MARKER} two ${MARKER} three`, [a, b]);
    try {
      const n = imageTokens();
      expect(p.images.map((i) => [i.id, i.nTokens])).toEqual([
        [a.id, n],
        [b.id, n],
      ]);
      const [first, second] = p.images;
      expect(p.tokens.slice(first?.start, (first?.start ?? 0) + n).every((t) => t < 0)).toBe(true);
      expect(p.tokens.slice(second?.start, (second?.start ?? 0) + n).every((t) => t < 0)).toBe(true);
      // Distinct images get distinct placeholders; the text around them is real tokens.
      expect(p.tokens[first?.start ?? 0]).not.toBe(p.tokens[second?.start ?? 0]);
      expect(p.tokens.filter((t) => t >= 0).length).toBe(p.tokens.length - 2 * n);
      // The first image evaluates into sequence 0 after the text before it.
      ctx.seqRm(0, -1, -1);
      expect(() => first?.evaluate(0, first.start)).not.toThrow();
    } finally {
      p.release();
    }
  });

  test("undecodable bytes and a marker/image count mismatch are 400s", () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ImageInputError);
        return (e as ImageInputError).status;
      }
      return null;
    };
    expect(bad(() => projector.tokenize(ctx, `x ${MARKER} y`, [imageInput(corruptPng())]))).toBe(400);
    expect(
      bad(() => projector.tokenize(ctx, `x ${MARKER} y`, [{ data: "aGVsbG8gd29ybGQ=", id: "abc" }])),
    ).toBe(400);
    expect(bad(() => projector.tokenize(ctx, "no marker", [imageInput(png())]))).toBe(400);
    expect(bad(() => projector.tokenize(ctx, `x ${MARKER}`, [imageInput(png())]))).toBe(400);
  });

  test("a projector for another embedding width is refused with mtmd's load error", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "tsllm-projector-")), "small.gguf");
    await synthesizeProjector({ preset: "small", out });
    expect(() => Projector.load(out, model, { threads: 2, useGpu: false })).toThrow(ProjectorLoadError);
    expect(() => Projector.load(out, model, { threads: 2, useGpu: false })).toThrow(
      /mismatch between text model/,
    );
  });
});
