/**
 * Round trip through Debian's docker-registry (distribution 2.8): create a model with system, params and
 * template layers → copy it to `127.0.0.1:PORT/ns/m:tag` → `tsllm push --insecure` → pull into an empty store
 * through a second serve → the same manifest bytes and blobs, the same show output, and the model runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { GREEDY } from "../api/helpers.ts";
import { storeProblems } from "../faults/serve-process.ts";
import { synthModel } from "../fixtures/models.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import { sha256 } from "./harness/seed.ts";
import {
  copyModel,
  createModel,
  pull,
  push,
  type RegistryServe,
  startServe,
  storedBlob,
  storedManifest,
} from "./harness/serve.ts";

const available = registryAvailable();
if (!available) console.log("skipping registry round trip: /usr/bin/docker-registry is not installed");

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
const SYSTEM = "You are a registry round-trip test.";
const TEMPLATE = "{{ if .System }}{{ .System }} {{ end }}{{ .Prompt }}";

describe.skipIf(!available)("push then pull through a real registry", () => {
  let reg: TestRegistry;
  let proxy: FrontProxy;
  let a: RegistryServe;
  let b: RegistryServe;
  let name: string;

  beforeAll(async () => {
    reg = await startRegistry();
    proxy = await startFrontProxy(reg.url, { mode: "pass" });
    name = `${proxy.host}/ns/m:tag`;
    [a, b] = await Promise.all([startServe(), startServe()]);
    await createModel(a.url, "m", await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }), {
      system: SYSTEM,
      template: TEMPLATE,
      parameters: { temperature: 0.25, stop: ["<end>"], num_ctx: 512 },
    });
    await copyModel(a.url, "m", name);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await proxy?.stop();
    await reg?.stop();
  });

  test("tsllm push --insecure uploads every layer and the manifest", async () => {
    const cli = Bun.spawn([process.execPath, MAIN, "push", "--insecure", name], {
      env: { ...process.env, TSLLM_HOST: new URL(a.url).host },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, err] = await Promise.all([cli.exited, new Response(cli.stderr).text()]);
    expect({ code, err: code === 0 ? "" : err }).toEqual({ code: 0, err: "" });

    const local = storedManifest(a.models, name) as string;
    const remote = await fetch(`${reg.url}/v2/ns/m/manifests/tag`, {
      headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" },
    });
    expect(remote.status).toBe(200);
    expect(await remote.text()).toBe(local);
    const uploads = proxy.records.filter((r) => r.method === "PATCH" || r.method === "PUT");
    expect(uploads.some((r) => r.path === "/v2/ns/m/manifests/tag" && r.status === 201)).toBe(true);
  });

  test("a second push finds every blob present and uploads none", async () => {
    proxy.reset();
    const r = await push(a.url, name);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.lines[0]).toEqual({ status: "retrieving manifest" });
    expect(r.lines.some((l) => l.status === "pushing manifest")).toBe(true);
    expect(proxy.records.filter((r) => r.method === "PATCH").length).toBe(0);
  });

  test("pull into an empty store: same manifest bytes and blobs, Ollama's progress lines", async () => {
    proxy.reset();
    const r = await pull(b.url, name);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    const statuses = r.lines.map((l) => l.status as string);
    expect(statuses[0]).toBe("pulling manifest");
    expect(statuses.slice(-3)).toEqual(["verifying sha256 digest", "writing manifest", "success"]);

    const manifest = storedManifest(b.models, name) as string;
    expect(manifest).toBe(storedManifest(a.models, name) as string);
    const parsed = JSON.parse(manifest) as { config: { digest: string }; layers: { digest: string }[] };
    const digests = [parsed.config.digest, ...parsed.layers.map((l) => l.digest)];
    for (const d of digests) expect(storedBlob(b.models, d)).toBe(true);
    for (const l of parsed.layers) expect(statuses).toContain(`pulling ${l.digest.slice(7, 19)}`);
    expect(await storeProblems(b.models)).toEqual([]);

    const tags = async (url: string) =>
      ((await (await fetch(`${url}/api/tags`)).json()) as { models: { name: string; digest: string }[] })
        .models;
    const pulled = (await tags(b.url)).find((m) => m.name === name);
    expect(pulled?.digest).toBe(sha256(manifest).slice(7));
    expect((await tags(a.url)).find((m) => m.name === name)?.digest).toBe(pulled?.digest);
  });

  test("system, parameters and template survive, and the pulled model runs", async () => {
    const show = async (url: string) =>
      (await (
        await fetch(`${url}/api/show`, { method: "POST", body: JSON.stringify({ model: name }) })
      ).json()) as Record<string, unknown>;
    const [before, after] = await Promise.all([show(a.url), show(b.url)]);
    expect(after.system).toBe(SYSTEM);
    expect(after.template).toBe(TEMPLATE);
    expect(after.parameters).toBe(before.parameters);
    expect(String(after.parameters)).toContain("<end>");

    const gen = await fetch(`${b.url}/api/generate`, {
      method: "POST",
      body: JSON.stringify({
        model: name,
        prompt: "hello",
        stream: false,
        options: { ...GREEDY, num_predict: 4 },
      }),
    });
    const body = (await gen.json()) as { done: boolean; response: string; eval_count: number };
    expect(gen.status).toBe(200);
    expect(body.done).toBe(true);
    expect(typeof body.response).toBe("string");
    expect(body.eval_count).toBeGreaterThan(0);
  });

  test("pulling again transfers no blob: every layer is already present", async () => {
    proxy.reset();
    const r = await pull(b.url, name);
    expect(r.ok).toBe(true);
    expect(proxy.blobBytes()).toBe(0);
  });
});
