/**
 * Pull and push behind the registry setups users meet: a token service (distribution's token auth, Bearer
 * challenge) with a CDN-style front that answers blob GETs and upload parts with 307 to another host, and a
 * basic-auth (htpasswd) registry. Credentials come from TSLLM_REGISTRY_AUTH, a docker config.json, or the
 * request itself; redirect targets never see Authorization, and no log line holds a password or token.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { storeProblems } from "../faults/serve-process.ts";
import { synthModel } from "../fixtures/models.ts";
import {
  commandAvailable,
  registryAvailable,
  startRegistry,
  type TestRegistry,
} from "./harness/docker-registry.ts";
import { type FrontProxy, startFrontProxy } from "./harness/front-proxy.ts";
import {
  copyModel,
  createModel,
  dockerConfigDir,
  pull,
  push,
  type RegistryServe,
  startServe,
  storedManifest,
} from "./harness/serve.ts";
import { startTokenService, type TokenService } from "./harness/token-service.ts";

const available = registryAvailable() && commandAvailable("htpasswd") && commandAvailable("openssl");
if (!available) console.log("skipping registry auth tests: docker-registry, htpasswd or openssl is missing");

const ALICE = "tok3n-pa55word-alice";
const BOB = "ba5ic-pa55word-bob";

describe.skipIf(!available)("authenticated registries", () => {
  let tokens: TokenService;
  let tokenReg: TestRegistry;
  let basicReg: TestRegistry;
  let cdn: FrontProxy;
  /** Pushes (TSLLM_REGISTRY_AUTH for both registries). */
  let a: RegistryServe;
  /** Pulls with TSLLM_REGISTRY_AUTH. */
  let b: RegistryServe;
  /** Pulls with a docker config.json. */
  let c: RegistryServe;
  /** Pulls with no configured credentials. */
  let d: RegistryServe;
  let dockerDir: string;
  const servers = () => [a, b, c, d];

  beforeAll(async () => {
    tokens = await startTokenService({ users: { alice: ALICE } });
    [tokenReg, basicReg] = await Promise.all([
      startRegistry({ kind: "token", ...tokens }),
      startRegistry({ kind: "htpasswd", users: { bob: BOB } }),
    ]);
    cdn = await startFrontProxy(tokenReg.url, { mode: "redirect", redirectUploads: true });
    const envAuth = `${cdn.host}=alice:${ALICE},${basicReg.host}=bob:${BOB}`;
    dockerDir = dockerConfigDir({ [cdn.host]: `alice:${ALICE}`, [basicReg.host]: `bob:${BOB}` });
    [a, b, c, d] = await Promise.all([
      startServe(undefined, { TSLLM_REGISTRY_AUTH: envAuth }),
      startServe(undefined, { TSLLM_REGISTRY_AUTH: envAuth }),
      startServe(undefined, { DOCKER_CONFIG: dockerDir }),
      startServe(),
    ]);
    await createModel(a.url, "m", await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }), {
      system: "auth test",
    });
  });
  afterAll(async () => {
    for (const s of servers()) await s?.stop();
    await cdn?.stop();
    await tokenReg?.stop();
    await basicReg?.stop();
    await tokens?.stop();
    if (dockerDir) rmSync(dockerDir, { recursive: true, force: true });
  });

  describe("token auth behind a redirecting front", () => {
    test("push: the Bearer challenge is answered with the configured credentials", async () => {
      const name = `${cdn.host}/ns/tok:1`;
      await copyModel(a.url, "m", name);
      const r = await push(a.url, name);
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
      const pushScopes = tokens.requests.filter((t) => t.user === "alice").flatMap((t) => t.scopes);
      expect(pushScopes.some((s) => s.startsWith("repository:ns/tok:") && s.includes("push"))).toBe(true);
      expect(tokens.requests.every((t) => t.user !== "!invalid")).toBe(true);
      const stored = await fetch(`${tokenReg.url}/v2/ns/tok/manifests/1`, {
        headers: {
          ...tokens.headers("ns/tok"),
          accept: "application/vnd.docker.distribution.manifest.v2+json",
        },
      });
      expect(stored.status).toBe(200);
      expect(await stored.text()).toBe(storedManifest(a.models, name) as string);
      const uploaded = cdn.records.filter((r) => r.listener === "cdn" && r.method === "PUT");
      expect(uploaded.length).toBeGreaterThan(0);
      // Parts the front redirected went to the other host, which never saw the client's token.
      expect(cdn.records.filter((r) => r.listener === "cdn" && r.authorization)).toEqual([]);
    });

    test("pull (TSLLM_REGISTRY_AUTH): blobs come from the redirect target, without Authorization", async () => {
      cdn.reset();
      const name = `${cdn.host}/ns/tok:1`;
      const r = await pull(b.url, name);
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
      expect(storedManifest(b.models, name)).toBe(storedManifest(a.models, name));
      expect(await storeProblems(b.models)).toEqual([]);

      const blobGets = cdn.records.filter((x) => x.method === "GET" && x.digest !== null);
      expect(blobGets.filter((x) => x.listener === "front").every((x) => x.status === 307)).toBe(true);
      const served = blobGets.filter((x) => x.listener === "cdn");
      expect(served.length).toBeGreaterThan(0);
      expect(served.filter((x) => x.authorization)).toEqual([]);
      expect(served.every((x) => x.status === 200 || x.status === 206)).toBe(true);
    });

    test("pull with a docker config.json", async () => {
      const r = await pull(c.url, `${cdn.host}/ns/tok:1`);
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
    });

    test("no credentials: the pull fails as unauthorized and writes nothing; the request's own work", async () => {
      const name = `${cdn.host}/ns/tok:1`;
      const denied = await pull(d.url, name);
      expect(denied.ok).toBe(false);
      expect(denied.error).toMatch(/unauthorized|401/i);
      expect(storedManifest(d.models, name)).toBeUndefined();

      const own = await pull(d.url, name, { username: "alice", password: ALICE });
      expect(own.error).toBeUndefined();
      expect(own.ok).toBe(true);
    });

    test("wrong credentials fail clearly", async () => {
      const r = await pull(d.url, `${cdn.host}/ns/tok:1`, { username: "alice", password: "wrong" });
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/unauthorized|401|denied/i);
    });
  });

  describe("basic auth (htpasswd)", () => {
    test("push with TSLLM_REGISTRY_AUTH, pull with a docker config.json", async () => {
      const name = `${basicReg.host}/ns/basic:2`;
      await copyModel(a.url, "m", name);
      const pushed = await push(a.url, name);
      expect(pushed.error).toBeUndefined();
      expect(pushed.ok).toBe(true);

      const pulled = await pull(c.url, name);
      expect(pulled.error).toBeUndefined();
      expect(pulled.ok).toBe(true);
      expect(storedManifest(c.models, name)).toBe(storedManifest(a.models, name));
      expect(await storeProblems(c.models)).toEqual([]);
    });

    test("pull with TSLLM_REGISTRY_AUTH; without credentials it is refused", async () => {
      const name = `${basicReg.host}/ns/basic:2`;
      const r = await pull(b.url, name);
      expect(r.error).toBeUndefined();
      expect(r.ok).toBe(true);
      const denied = await pull(d.url, name);
      expect(denied.ok).toBe(false);
      expect(denied.error).toMatch(/unauthorized|401/i);
    });
  });

  test("no serve log holds a password or a token", async () => {
    const secrets = [ALICE, BOB, Buffer.from(`alice:${ALICE}`).toString("base64")];
    for (const s of servers()) {
      const log = s.log();
      for (const secret of secrets) expect(log).not.toContain(secret);
      expect(log).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    }
  });
});
