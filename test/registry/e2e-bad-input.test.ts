/**
 * Bad names, missing models and manifests a registry should never send: Ollama's error texts and statuses,
 * nothing written to the store (and nothing outside it), and serve answering afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { storeProblems } from "../faults/serve-process.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import { type Seeded, seedModel, sha256 } from "./harness/seed.ts";
import { pull, type RegistryServe, startServe, storedManifest } from "./harness/serve.ts";

const available = registryAvailable();
if (!available) console.log("skipping registry bad-input tests: /usr/bin/docker-registry is not installed");

const MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
const MODEL = "application/vnd.ollama.image.model";

/** Every file under `dir`, relative. */
function tree(dir: string, at = ""): string[] {
  let out: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(join(dir, at), { withFileTypes: true });
  } catch {
    return [];
  }
  for (const e of entries) {
    const rel = at ? `${at}/${e.name}` : e.name;
    out = e.isDirectory() ? out.concat(tree(dir, rel)) : out.concat(rel);
  }
  return out;
}

describe.skipIf(!available)("bad input", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let serve: RegistryServe;
  let seeded: Seeded;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    seeded = await seedModel(reg.url, "ns/real", "1", [{ mediaType: MODEL, bytes: randomBytes(1 << 20) }]);
    serve = await startServe();
  });
  afterAll(async () => {
    await serve?.stop();
    await proxy?.stop();
    await reg?.stop();
  });

  test("an unknown model or tag: Ollama's error and status (streamed and not)", async () => {
    for (const name of [`${proxy.host}/ns/nothing:1`, `${proxy.host}/ns/real:nope`]) {
      const once = await pull(serve.url, name, { stream: false });
      expect({ status: once.status, error: once.error }).toEqual({
        status: 500,
        error: "pull model manifest: file does not exist",
      });
      const streamed = await pull(serve.url, name);
      expect(streamed.lines[0]).toEqual({ status: "pulling manifest" });
      expect(streamed.error).toBe("pull model manifest: file does not exist");
      expect(storedManifest(serve.models, name)).toBeUndefined();
    }
  });

  test("an http:// registry without insecure: Ollama's error, no request made", async () => {
    proxy.reset();
    const r = await pull(serve.url, `http://${proxy.host}/ns/real:1`, { insecure: false, stream: false });
    expect(r.error).toBe("insecure protocol http");
    expect(r.status).toBe(500);
    expect(proxy.records).toEqual([]);
  });

  test("a plain-http registry addressed without insecure fails (https) and writes nothing", async () => {
    const name = `${proxy.host}/ns/real:1`;
    const r = await pull(serve.url, name, { insecure: false });
    expect(r.ok).toBe(false);
    expect(r.error).toBeString();
    expect(storedManifest(serve.models, name)).toBeUndefined();
  });

  test("an invalid name is a 400", async () => {
    const r = await pull(serve.url, "bad name!!/x::y");
    expect(r.status).toBe(400);
    expect(r.error).toBeString();
  });

  const realLayer = () => seeded.layers[0] as { mediaType: string; digest: string; size: number };
  const config = () => (JSON.parse(seeded.manifest) as { config: unknown }).config;
  const manifestWith = (layers: unknown[]) =>
    JSON.stringify({ schemaVersion: 2, mediaType: MANIFEST, config: config(), layers });
  /** Each bad manifest and what its error must speak of. */
  const bad: Record<string, [() => string, RegExp]> = {
    "not JSON": [() => "{ this is not json", /not JSON/i],
    "a blob named twice": [() => manifestWith([realLayer(), realLayer()]), /second time|twice|duplicate/i],
    "a non-sha256 digest": [
      () => manifestWith([{ ...realLayer(), digest: "md5:0123456789abcdef0123456789abcdef" }]),
      /sha256/,
    ],
    "a digest that walks out of the store": [
      () => manifestWith([{ ...realLayer(), digest: "sha256:../../../../../../tmp/tsllm-escape" }]),
      /sha256/,
    ],
    "a size that disagrees with the blob": [
      () => manifestWith([{ ...realLayer(), size: realLayer().size - 1000 }]),
      /size|mismatch/i,
    ],
    "an unknown layer media type": [
      () => manifestWith([{ ...realLayer(), mediaType: "application/x-evil" }]),
      /media type/i,
    ],
  };

  for (const [what, [body, speaks]] of Object.entries(bad)) {
    test(`a manifest with ${what}: a clear error, nothing written, serve still answers`, async () => {
      const text = body();
      proxy.intercept((method, path) =>
        path === "/v2/ns/real/manifests/1" && (method === "GET" || method === "HEAD")
          ? {
              status: 200,
              headers: { "content-type": MANIFEST, "docker-content-digest": sha256(text) },
              body: text,
            }
          : undefined,
      );
      try {
        const before = tree(serve.models).filter((f) => f.startsWith("manifests/"));
        const name = `${proxy.host}/ns/real:1`;
        const r = await pull(serve.url, name);
        expect(r.ok).toBe(false);
        expect(r.error).toMatch(speaks);
        expect(storedManifest(serve.models, name)).toBeUndefined();
        expect(tree(serve.models).filter((f) => f.startsWith("manifests/"))).toEqual(before);
        expect(readdirSync("/tmp").filter((f) => f.startsWith("tsllm-escape"))).toEqual([]);
        expect(await storeProblems(serve.models)).toEqual([]);
        expect((await fetch(`${serve.url}/api/version`)).status).toBe(200);
      } finally {
        proxy.intercept(null);
      }
    });
  }

  test("the same name pulls fine from the real manifest afterwards", async () => {
    const name = `${proxy.host}/ns/real:1`;
    const r = await pull(serve.url, name);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(storedManifest(serve.models, name)).toBe(seeded.manifest);
  });
});
