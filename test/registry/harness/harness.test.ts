/**
 * The registry harness itself, with no tsllm code involved: the token service's JWTs satisfy the real
 * docker-registry, the proxy counts, redirects (downloads and ollama-style upload parts), cuts and stalls.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MediaType } from "../../../src/store/index.ts";
import { waitFor } from "../../faults/serve-process.ts";
import { registryAvailable, startRegistry, type TestRegistry } from "./docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./front-proxy.ts";
import { type Seeded, seedBlob, seedModel, sha256 } from "./seed.ts";
import { startTokenService, type TokenService } from "./token-service.ts";

const available = registryAvailable();
if (!available) console.log("skipping registry harness tests: /usr/bin/docker-registry is not installed");

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const blob = new Uint8Array(3 << 20).map((_, i) => (i * 7919) % 251);

describe.skipIf(!available)("token service", () => {
  let tokens: TokenService;
  let reg: TestRegistry;
  beforeAll(async () => {
    tokens = await startTokenService({ users: { alice: "s3cret" } });
    reg = await startRegistry({ kind: "token", ...tokens });
  });
  afterAll(async () => {
    await reg?.stop();
    await tokens?.stop();
  });

  test("a token fetched with Basic credentials opens the repository; anonymous and wrong ones do not", async () => {
    const seeded = await seedModel(
      reg.url,
      "ns/m",
      "t",
      [{ mediaType: MediaType.model, bytes: blob }],
      tokens.headers("ns/m"),
    );
    const challenge = await fetch(`${reg.url}/v2/ns/m/manifests/t`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toBe(
      `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="repository:ns/m:pull"`,
    );
    const ask = (auth?: string) =>
      fetch(`${tokens.realm}?service=${tokens.service}&scope=repository:ns/m:pull`, {
        headers: auth ? { authorization: auth } : {},
      });
    const good = (await (await ask(basic("alice", "s3cret"))).json()) as { token: string };
    const m = await fetch(`${reg.url}/v2/ns/m/manifests/t`, {
      headers: { authorization: `Bearer ${good.token}`, accept: MediaType.manifest },
    });
    expect(m.status).toBe(200);
    expect(await m.text()).toBe(seeded.manifest);

    const anon = (await (await ask()).json()) as { token: string };
    const denied = await fetch(`${reg.url}/v2/ns/m/manifests/t`, {
      headers: { authorization: `Bearer ${anon.token}` },
    });
    expect(denied.status).toBe(401);
    expect((await ask(basic("alice", "wrong"))).status).toBe(401);
    expect(tokens.requests.map((r) => r.user)).toEqual(["alice", null, "!invalid"]);
  });
});

describe.skipIf(!available)("front proxy", () => {
  let reg: TestRegistry;
  let seeded: Seeded;
  let digest: string;
  const proxies: FrontProxy[] = [];
  beforeAll(async () => {
    reg = await startRegistry();
    seeded = await seedModel(reg.url, "ns/m", "t", [{ mediaType: MediaType.model, bytes: blob }]);
    digest = seeded.layers[0]?.digest as string;
  });
  afterAll(async () => {
    for (const p of proxies) await p.stop();
    await reg?.stop();
  });
  const proxy = async (mode: "pass" | "redirect", redirectUploads = false) => {
    const p = await startFrontProxy(reg.url, { mode, redirectUploads });
    proxies.push(p);
    return p;
  };

  test("pass: forwards manifests and ranges, counts bytes per blob", async () => {
    const p = await proxy("pass");
    const m = await fetch(`${p.url}/v2/ns/m/manifests/t`, { headers: { accept: MediaType.manifest } });
    expect(await m.text()).toBe(seeded.manifest);
    const part = await fetch(`${p.url}/v2/ns/m/blobs/${digest}`, { headers: { range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(blob.subarray(10, 20));
    const whole = await fetch(`${p.url}/v2/ns/m/blobs/${digest}`);
    expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(digest);
    expect(p.blobBytes(digest)).toBe(blob.length + 10);
    expect(p.records.map((r) => r.range)).toEqual([null, "bytes=10-19", null]);
  });

  test("truncate: the body ends short under its Content-Length, and a client sees an error", async () => {
    const p = await proxy("pass");
    p.fault({ kind: "truncate", after: 1 << 20, digest });
    let got = 0;
    let failed = false;
    // The cut may reach the client before its fetch has handed over the response: then fetch itself fails.
    const res = await fetch(`${p.url}/v2/ns/m/blobs/${digest}`).catch(() => undefined);
    if (res === undefined) failed = true;
    else {
      expect(res.headers.get("content-length")).toBe(String(blob.length));
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      try {
        for (let r = await reader.read(); !r.done; r = await reader.read()) got += r.value.length;
      } catch {
        failed = true;
      }
    }
    expect(failed).toBe(true);
    expect(got).toBeLessThanOrEqual(1 << 20);
    const again = await fetch(`${p.url}/v2/ns/m/blobs/${digest}`);
    expect((await again.arrayBuffer()).byteLength).toBe(blob.length);
  });

  test("stall and budget: sending stops until the client gives up or the budget is raised", async () => {
    const p = await proxy("pass");
    p.fault({ kind: "stall", after: 4096, digest });
    const ac = new AbortController();
    const res = await fetch(`${p.url}/v2/ns/m/blobs/${digest}`, { signal: ac.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let got = 0;
    while (got < 4096) got += ((await reader.read()).value as Uint8Array).length;
    expect(got).toBe(4096);
    ac.abort();
    p.setBudget(1000);
    const budgeted = fetch(`${p.url}/v2/ns/m/blobs/${digest}`).then((r) => r.arrayBuffer());
    await waitFor(() => p.blobBytes(digest) === 4096 + 1000, "the budget to be spent");
    p.setBudget(null);
    expect((await budgeted).byteLength).toBe(blob.length);
  });

  test("redirect: a blob GET is a 307 to another host that serves it without the client's token", async () => {
    const p = await proxy("redirect");
    const first = await fetch(`${p.url}/v2/ns/m/blobs/${digest}`, {
      redirect: "manual",
      headers: { authorization: "Bearer abc" },
    });
    expect(first.status).toBe(307);
    const location = first.headers.get("location") as string;
    expect(new URL(location).hostname).toBe("127.0.0.2");
    const data = await fetch(location, { headers: { range: "bytes=0-99" } });
    expect(data.status).toBe(206);
    expect(new Uint8Array(await data.arrayBuffer())).toEqual(blob.subarray(0, 100));
    expect(p.records.map((r) => [r.listener, r.status, r.authorization])).toEqual([
      ["front", 307, true],
      ["cdn", 206, false],
    ]);
    expect(p.blobBytes(digest)).toBe(100);
  });

  test("redirected uploads: parts put to the second host, the final PUT commits the blob", async () => {
    const p = await proxy("redirect", true);
    const bytes = new Uint8Array(5000).map((_, i) => i % 13);
    const start = await fetch(`${p.url}/v2/ns/up/blobs/uploads/`, { method: "POST" });
    expect(start.status).toBe(202);
    let next = start.headers.get("location") as string;
    expect(next.startsWith(p.url)).toBe(true);
    for (const [a, b] of [
      [0, 3000],
      [3000, 5000],
    ] as const) {
      const patch = await fetch(next, {
        method: "PATCH",
        redirect: "manual",
        headers: { "x-redirect-uploads": "1", "content-range": `${a}-${b - 1}` },
        body: bytes.subarray(a, b),
      });
      expect(patch.status).toBe(307);
      next = patch.headers.get("docker-upload-location") as string;
      const put = await fetch(patch.headers.get("location") as string, {
        method: "PUT",
        body: bytes.subarray(a, b),
      });
      expect(put.status).toBe(200);
    }
    const done = new URL(next);
    done.searchParams.set("digest", sha256(bytes));
    expect((await fetch(done, { method: "PUT" })).status).toBe(201);
    expect((await fetch(`${reg.url}/v2/ns/up/blobs/${sha256(bytes)}`, { method: "HEAD" })).status).toBe(200);
  });

  test("monolithic seeding through the proxy keeps upload Locations on the front", async () => {
    const p = await proxy("pass");
    const d = await seedBlob(p.url, "ns/mono", new Uint8Array([1, 2, 3]));
    expect(p.records.every((r) => r.listener === "front")).toBe(true);
    expect(p.records.map((r) => r.method)).toEqual(["POST", "PUT"]);
    expect((await fetch(`${reg.url}/v2/ns/mono/blobs/${d}`, { method: "HEAD" })).status).toBe(200);
  });
});
