/**
 * The Bearer token flow over real HTTP: a small registry front that demands tokens and a token service on
 * another loopback address, both Bun.serve servers started here, counting what they receive.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../src/log.ts";
import { createRegistryClient } from "../../src/registry/client/index.ts";
import { RegistryAuthError } from "../../src/registry/errors.ts";

interface TokenRequest {
  scope: string[];
  service: string | null;
  authorization: string | null;
}

describe("registry client, token auth", () => {
  const home = mkdtempSync(join(tmpdir(), "tsllm-client-token-"));
  const tokenRequests: TokenRequest[] = [];
  const registryAuth: (string | null)[] = [];
  let issued = 0;
  let rejectAll = false;
  let tokens: ReturnType<typeof Bun.serve>;
  let registry: ReturnType<typeof Bun.serve>;
  let now = 1_000_000;

  beforeAll(() => {
    tokens = Bun.serve({
      hostname: "127.0.0.2",
      port: 0,
      fetch(req) {
        const url = new URL(req.url);
        const auth = req.headers.get("authorization");
        tokenRequests.push({
          scope: url.searchParams.getAll("scope"),
          service: url.searchParams.get("service"),
          authorization: auth,
        });
        if (auth !== `Basic ${btoa("bob:builder")}`) return new Response("denied", { status: 401 });
        return Response.json({ token: `tok-${++issued}`, expires_in: 120 });
      },
    });
    registry = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        const auth = req.headers.get("authorization");
        registryAuth.push(auth);
        const valid = !rejectAll && /^Bearer tok-\d+$/.test(auth ?? "");
        if (valid) return Response.json({ ok: true });
        const realm = `http://127.0.0.2:${tokens.port}/token`;
        return Response.json(
          { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
          {
            status: 401,
            headers: {
              "WWW-Authenticate": `Bearer realm="${realm}",service="test-registry",scope="repository:ns/m:pull"`,
            },
          },
        );
      },
    });
  });
  afterAll(() => {
    tokens?.stop(true);
    registry?.stop(true);
    rmSync(home, { recursive: true, force: true });
  });

  const client = () =>
    createRegistryClient({
      logger: new Logger("error"),
      home,
      registryAuth: `127.0.0.1:${registry.port}=bob:builder`,
      now: () => now,
    });

  test("401 → token from the realm with Basic credentials → retried with the Bearer token, then cached", async () => {
    const c = client();
    const ref = c.ref(`127.0.0.1:${registry.port}/ns/m`, { insecure: true });
    const res = await c.send(ref, { method: "GET", url: "/v2/ns/m/manifests/latest", scope: "pull" });
    expect(res.status).toBe(200);
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toEqual({
      scope: ["repository:ns/m:pull"],
      service: "test-registry",
      authorization: `Basic ${btoa("bob:builder")}`,
    });
    expect(registryAuth).toEqual([null, "Bearer tok-1"]);

    // Within the token's lifetime the next request carries it at once.
    now += 60_000;
    expect((await c.send(ref, { method: "GET", url: "/v2/ns/m/blobs/sha256:x", scope: "pull" })).status).toBe(
      200,
    );
    expect(tokenRequests).toHaveLength(1);
    expect(registryAuth.at(-1)).toBe("Bearer tok-1");

    // Past it, the client asks for a new one before sending.
    now += 61_000;
    expect((await c.send(ref, { method: "GET", url: "/v2/", scope: "pull" })).status).toBe(200);
    expect(registryAuth.slice(-2)).toEqual([null, "Bearer tok-2"]);
  });

  test("a token the registry still refuses is a 401 error, not a loop", async () => {
    rejectAll = true;
    try {
      const c = client();
      const ref = c.ref(`127.0.0.1:${registry.port}/ns/m`, { insecure: true });
      const before = tokenRequests.length;
      const err = await c.send(ref, { method: "GET", url: "/v2/", scope: "pull" }).catch((e) => e);
      expect(err).toBeInstanceOf(RegistryAuthError);
      expect(err.message).toContain(`127.0.0.1:${registry.port}`);
      expect(err.message).not.toContain("tok-");
      expect(tokenRequests.length - before).toBe(1);
    } finally {
      rejectAll = false;
    }
  });

  test("the token service refusing the credentials is a 401 error", async () => {
    const c = createRegistryClient({
      logger: new Logger("error"),
      home,
      registryAuth: `127.0.0.1:${registry.port}=bob:wrong`,
    });
    const ref = c.ref(`127.0.0.1:${registry.port}/ns/m`, { insecure: true });
    const err = await c.send(ref, { method: "GET", url: "/v2/", scope: "pull" }).catch((e) => e);
    expect(err).toBeInstanceOf(RegistryAuthError);
    expect(err.status).toBe(401);
  });
});
