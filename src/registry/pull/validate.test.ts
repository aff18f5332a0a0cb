import { describe, expect, test } from "bun:test";
import { MediaType } from "../../store/index.ts";
import { InvalidManifestError, UnsupportedModelError } from "./errors.ts";
import { MAX_BLOB_SIZE, validateManifest } from "./validate.ts";

const d = (c: string) => `sha256:${c.repeat(64)}`;
const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const manifest = (over: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: MediaType.manifest,
  config: { mediaType: MediaType.config, digest: d("c"), size: 10 },
  layers: [
    { mediaType: MediaType.model, digest: d("a"), size: 1000 },
    { mediaType: MediaType.template, digest: d("b"), size: 20 },
  ],
  ...over,
});

describe("validateManifest", () => {
  test("lists the blobs in Ollama's order: layers, then the config", () => {
    const v = validateManifest(enc(manifest()));
    expect(v.blobs.map((b) => b.digest)).toEqual([d("a"), d("b"), d("c")]);
    expect(v.blobs[0]).toEqual({ digest: d("a"), size: 1000, mediaType: MediaType.model });
  });

  test("accepts every layer type Ollama writes, OCI media types, extra fields and an absent mediaType", () => {
    const layers = Object.values(MediaType)
      .filter((m) => m !== MediaType.manifest && m !== MediaType.config)
      .map((mediaType, i) => ({ mediaType, digest: d(i.toString(16)), size: i, from: "x", annotations: {} }));
    const m = manifest({ layers, mediaType: undefined });
    expect(validateManifest(enc(m)).blobs).toHaveLength(layers.length + 1);
    const oci = manifest({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("c"), size: 1 },
    });
    expect(validateManifest(enc(oci)).blobs).toHaveLength(3);
  });

  test("a config that is also a layer is fetched once; with another size it is refused", () => {
    const same = manifest({ config: { mediaType: MediaType.config, digest: d("a"), size: 1000 } });
    expect(validateManifest(enc(same)).blobs.map((b) => b.digest)).toEqual([d("a"), d("b")]);
    const other = manifest({ config: { mediaType: MediaType.config, digest: d("a"), size: 5 } });
    expect(() => validateManifest(enc(other))).toThrow(/different sizes/);
  });

  test("a config without a digest is tolerated (nothing to fetch for it)", () => {
    const m = manifest({ config: { mediaType: MediaType.config, digest: "", size: 0 } });
    expect(validateManifest(enc(m)).blobs).toHaveLength(2);
  });

  const bad: [string, unknown, RegExp][] = [
    ["not JSON", "{", /not JSON/],
    ["invalid UTF-8", new Uint8Array([0xff, 0xfe]), /not JSON/],
    ["a JSON array", [], /not a schema 2 manifest/],
    ["no config", { schemaVersion: 2, layers: [] }, /not a schema 2 manifest/],
    ["schema version 1", manifest({ schemaVersion: 1 }), /schemaVersion 1/],
    ["an unknown manifest type", manifest({ mediaType: "text/html" }), /unknown manifest media type/],
    [
      "a duplicate layer",
      manifest({ layers: [manifest().layers[0], manifest().layers[0]] }),
      /a second time/,
    ],
    [
      "a short digest",
      manifest({ layers: [{ mediaType: MediaType.model, digest: "sha256:abc", size: 1 }] }),
      /not sha256/,
    ],
    [
      "a sha256- file form",
      manifest({ layers: [{ mediaType: MediaType.model, digest: d("a").replace(":", "-"), size: 1 }] }),
      /not sha256/,
    ],
    [
      "a digest with a slash",
      manifest({ layers: [{ mediaType: MediaType.model, digest: `sha256:${"a".repeat(63)}/`, size: 1 }] }),
      /not sha256/,
    ],
    [
      "a bad config digest",
      manifest({ config: { mediaType: MediaType.config, digest: "md5:x", size: 1 } }),
      /config has digest/,
    ],
    [
      "a size past the bound",
      manifest({ layers: [{ mediaType: MediaType.model, digest: d("a"), size: MAX_BLOB_SIZE + 1 }] }),
      /has size/,
    ],
    [
      "a string size",
      manifest({ layers: [{ mediaType: MediaType.model, digest: d("a"), size: "1" }] }),
      /not a schema 2 manifest/,
    ],
    [
      "an unknown layer type",
      manifest({ layers: [{ mediaType: "application/octet-stream", digest: d("a"), size: 1 }] }),
      /unknown media type/,
    ],
    [
      "an unknown config type",
      manifest({ config: { mediaType: MediaType.model, digest: d("c"), size: 1 } }),
      /config has unknown media type/,
    ],
  ];
  for (const [what, input, message] of bad) {
    test(`refuses ${what}`, () => {
      const bytes = input instanceof Uint8Array ? input : enc(input);
      expect(() => validateManifest(bytes)).toThrow(InvalidManifestError);
      expect(() => validateManifest(bytes)).toThrow(message);
    });
  }

  test("safetensors models are refused with their own error", () => {
    for (const mediaType of ["application/vnd.ollama.image.tensor", "application/vnd.ollama.image.json"]) {
      const m = manifest({ layers: [{ mediaType, digest: d("a"), size: 1 }] });
      expect(() => validateManifest(enc(m))).toThrow(UnsupportedModelError);
    }
  });

  test("errors start as Ollama's do and answer 500", () => {
    let caught: unknown;
    try {
      validateManifest(enc("x"));
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message).toStartWith("pull model manifest: invalid manifest: ");
    expect((caught as InvalidManifestError).status).toBe(500);
  });
});
