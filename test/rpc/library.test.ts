/**
 * libggml-rpc.so from scripts/build-native-extras.sh loads into the prebuilt ggml of the same release and
 * reports the protocol version of the ggml-rpc.h it was compiled from.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { llamaSourceDir } from "../../src/gguf/synth/llama-source.ts";
import { buildExtras, client } from "./helpers.ts";

const ROOT = join(import.meta.dir, "..", "..");
const extras = buildExtras();
const skip = "skip" in extras ? extras.skip : null;
if (skip) console.warn(`RPC library tests skipped: ${skip}`);

describe.skipIf(skip !== null)("native extras: libggml-rpc", () => {
  const dir = "dir" in extras ? extras.dir : "";
  const meta = () => JSON.parse(readFileSync(join(dir, "libggml-rpc.json"), "utf8"));

  test("is built from the same llama.cpp commit and release as the prebuilt libraries", () => {
    const pkg = join(ROOT, "node_modules", "node-llama-cpp", "llama");
    const release = JSON.parse(readFileSync(join(pkg, "binariesGithubRelease.json"), "utf8")).release;
    const heads = Bun.spawnSync([
      "git",
      "bundle",
      "list-heads",
      join(pkg, "gitRelease.bundle"),
    ]).stdout.toString();
    const prebuilt = JSON.parse(
      readFileSync(
        join(ROOT, "node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/_nlcBuildMetadata.json"),
        "utf8",
      ),
    );
    expect(meta().release).toBe(release);
    expect(prebuilt.buildOptions.llamaCpp.release).toBe(release);
    expect(heads).toContain(meta().commit);
    expect(dir.endsWith(release)).toBe(true);
  });

  test("a second build is a cache hit", () => {
    const r = Bun.spawnSync(["bash", join(ROOT, "scripts", "build-native-extras.sh")]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString().trim()).toBe(dir);
  });

  test("loads with the prebuilt libggml: registry RPC, protocol version of ggml-rpc.h", async () => {
    const r = await client("info");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.name).toBe("RPC");
    expect(info.file).toBe(join(dir, "libggml-rpc.so"));
    expect(info.release).toBe(meta().release);
    // The version the library itself reports is ggml-rpc.h's RPC_PROTO_* in the pinned source.
    const header = readFileSync(join(llamaSourceDir(), "ggml", "include", "ggml-rpc.h"), "utf8");
    const part = (p: string) => new RegExp(`#define RPC_PROTO_${p}_VERSION\\s+(\\d+)`).exec(header)?.[1];
    expect(info.version).toBe(`${part("MAJOR")}.${part("MINOR")}.${part("PATCH")}`);
    expect(info.version).toBe(meta().rpcProto);
  });
});
