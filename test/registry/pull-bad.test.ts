/**
 * What a registry may send that a pull must refuse: broken manifests (refused before any download, nothing
 * written), blobs that do not hash to their digest or are not the size the manifest says, and digests that
 * would name paths outside the store.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { MediaType, type ModelStore } from "../../src/store/index.ts";
import { randomBytes } from "./harness/big-model.ts";
import { registryAvailable } from "./harness/docker-registry.ts";
import { type Seeded, seedModel } from "./harness/seed.ts";
import { type PullRig, pullCollect, pullDeps, startRig, storeFiles, tempStore } from "./pull-helpers.ts";

const enc = new TextEncoder();

describe.skipIf(!registryAvailable())("pull refuses", () => {
  let rig: PullRig;
  let seeded: Seeded;
  let tmp: Awaited<ReturnType<typeof tempStore>>;
  let store: ModelStore;

  beforeAll(async () => {
    rig = await startRig();
    seeded = await seedModel(rig.registry.url, "ns/base", "latest", [
      { mediaType: MediaType.model, bytes: randomBytes(300_000) },
      { mediaType: MediaType.template, bytes: enc.encode("{{ .Prompt }}") },
    ]);
  });
  afterAll(() => rig.stop());
  beforeEach(async () => {
    tmp = await tempStore();
    store = tmp.store;
    rig.proxy.reset();
  });
  afterEach(async () => {
    rig.proxy.intercept(null);
    await tmp.dispose();
  });

  /** Serves `body` as the manifest of ns/base:latest. */
  const serveManifest = (body: string) =>
    rig.proxy.intercept((method, path) =>
      method === "GET" && path.endsWith("/manifests/latest")
        ? { status: 200, headers: { "content-type": MediaType.manifest }, body }
        : undefined,
    );
  const base = () => JSON.parse(seeded.manifest);
  const pull = () => pullCollect(pullDeps(store, tmp.root), rig.name("ns/base"));

  const cases: [string, () => string, RegExp][] = [
    [
      "a manifest that is not JSON",
      () => "<html>nope</html>",
      /^pull model manifest: invalid manifest: not JSON/,
    ],
    [
      "a blob named twice",
      () => {
        const m = base();
        m.layers.push(m.layers[0]);
        return JSON.stringify(m);
      },
      /layer 2 names blob sha256:[0-9a-f]{64} a second time/,
    ],
    [
      "a non-sha256 digest",
      () => {
        const m = base();
        m.layers[0].digest = `sha512:${"ab".repeat(64)}`;
        return JSON.stringify(m);
      },
      /layer 0 has digest "sha512:ab.*", not sha256:<64 hex>/,
    ],
    [
      "a digest that would escape the store",
      () => {
        const m = base();
        m.layers[0].digest = "sha256:../../../../etc/passwd";
        return JSON.stringify(m);
      },
      /layer 0 has digest "sha256:\.\.\/.*", not sha256:<64 hex>/,
    ],
    [
      "an uppercase digest",
      () => {
        const m = base();
        m.layers[0].digest = m.layers[0].digest.toUpperCase().replace("SHA256", "sha256");
        return JSON.stringify(m);
      },
      /not sha256:<64 hex>/,
    ],
    [
      "an unknown media type",
      () => {
        const m = base();
        m.layers[1].mediaType = "application/vnd.example.unknown";
        return JSON.stringify(m);
      },
      /layer 1 has unknown media type "application\/vnd.example.unknown"/,
    ],
    [
      "a negative size",
      () => {
        const m = base();
        m.layers[1].size = -1;
        return JSON.stringify(m);
      },
      /layer 1 \(sha256:[0-9a-f]{64}\) has size -1/,
    ],
    [
      "a fractional size",
      () => {
        const m = base();
        m.layers[1].size = 1.5;
        return JSON.stringify(m);
      },
      /has size 1.5/,
    ],
    [
      "schema version 1",
      () => JSON.stringify({ ...base(), schemaVersion: 1 }),
      /schemaVersion 1, expected 2/,
    ],
    ["a manifest without layers", () => JSON.stringify({ schemaVersion: 2 }), /not a schema 2 manifest/],
    [
      "safetensors tensor layers",
      () => {
        const m = base();
        m.layers[0].mediaType = "application/vnd.ollama.image.tensor";
        return JSON.stringify(m);
      },
      /safetensors tensor layers \(application\/vnd\.ollama\.image\.tensor\), which tsllm cannot run/,
    ],
  ];

  for (const [what, body, message] of cases) {
    test(`${what}: a clear error before any download, nothing written`, async () => {
      serveManifest(body());
      const { error } = await pull();
      expect(error?.message).toMatch(message);
      expect(error?.status).toBe(500);
      expect(rig.proxy.blobBytes()).toBe(0);
      expect(await storeFiles(store)).toEqual([]);
    });
  }

  test("a manifest larger than the limit is refused without reading it all", async () => {
    serveManifest(" ".repeat(5 << 20));
    const { error } = await pull();
    expect(error?.message).toMatch(/^pull model manifest: manifest of \d+ bytes is larger than/);
    expect(await storeFiles(store)).toEqual([]);
  });

  for (const delta of [+1000, -1000]) {
    test(`a size ${delta > 0 ? "larger" : "smaller"} than the registry's blob: error naming the digest, nothing kept`, async () => {
      const m = base();
      m.layers[0].size += delta;
      serveManifest(JSON.stringify(m));
      const { error } = await pull();
      expect(error?.message).toContain(
        `blob ${m.layers[0].digest} size mismatch: the manifest says ${m.layers[0].size}`,
      );
      expect(await storeFiles(store)).toEqual([]);
    });
  }

  test("a manifest needing more than the free disk: 507 naming needed and free bytes, no byte fetched", async () => {
    const m = base();
    m.layers[0].size = 2 ** 43;
    serveManifest(JSON.stringify(m));
    const { error } = await pull();
    expect(error?.status).toBe(507);
    expect(error?.message).toMatch(
      /^not enough disk space to pull .*: it needs \d+ bytes \(.*\), \d+ bytes \(.*\) are free$/,
    );
    expect(rig.proxy.blobBytes()).toBe(0);
    expect(await storeFiles(store)).toEqual([]);
  });

  test("a blob corrupted in the registry's storage: error naming the digest, no manifest, no blob, no partial", async () => {
    const s = await seedModel(rig.registry.url, "ns/corrupt", "latest", [
      { mediaType: MediaType.model, bytes: randomBytes(2 << 20) },
    ]);
    const digest = s.layers[0]?.digest as string;
    const flipped = randomBytes(2 << 20);
    await writeFile(rig.registry.blobDataPath(digest), flipped);
    const { error, progress } = await pullCollect(pullDeps(store, tmp.root), rig.name("ns/corrupt"));
    expect(error?.message).toMatch(
      new RegExp(`^digest mismatch, file must be downloaded again: want ${digest}, got sha256:`),
    );
    expect(progress.map((p) => p.status)).not.toContain("writing manifest");
    expect(await store.blobs.has(digest)).toBe(false);
    expect(await storeFiles(store)).toEqual([]);
  });
});
