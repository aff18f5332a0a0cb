import { afterAll, describe, expect, test } from "bun:test";
import { createPublicKey, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "../../log.ts";
import { RegistryAuthError } from "../errors.ts";
import type { RegistryRef } from "../types.ts";
import { Authenticator, type RawFetch } from "./auth.ts";
import { SigningKeys } from "./keys.ts";
import { RedirectPolicy } from "./redirect-policy.ts";
import { resolveRef } from "./ref.ts";

const home = mkdtempSync(join(tmpdir(), "tsllm-auth-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const log = new Logger("error");

interface Seen {
  url: string;
  method: string;
  headers: Headers;
  body?: string;
}

/** An Authenticator whose token service is `answer`, with a settable clock and public DNS. */
function setup(answer: (req: Seen) => Response, registryAuth?: string) {
  const seen: Seen[] = [];
  let now = 1_700_000_000_000;
  const fetch: RawFetch = async (url, init) => {
    const req = {
      url: url.href,
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? init.body : undefined,
    };
    seen.push(req);
    return answer(req);
  };
  const opts = { logger: log, home, registryAuth, now: () => now, resolveHost: async () => ["203.0.113.7"] };
  const keys = new SigningKeys({ home }, log);
  const auth = new Authenticator(opts, { log, fetch, policy: new RedirectPolicy(opts), keys });
  return { auth, seen, keys, advance: (ms: number) => (now += ms), nowS: () => Math.floor(now / 1000) };
}

const json = (body: unknown) => Response.json(body);

describe("token challenges", () => {
  test("Ollama's registry: signed GET to the realm, exact signed text, token cached until expiry", async () => {
    const t = setup(() => json({ token: "tok-1", expires_in: 300 }));
    const ref = resolveRef("llama3.2");
    const challenge =
      'Bearer realm="https://registry.ollama.ai/v2/token",service="registry.ollama.ai",scope="repository:library/llama3.2:pull"';
    expect(await t.auth.answer(ref, "pull", challenge)).toBe("Bearer tok-1");
    const [req] = t.seen;
    const url = new URL(req?.url as string);
    expect([...url.searchParams.keys()]).toEqual(["nonce", "scope", "service", "ts"]);
    expect(url.searchParams.get("scope")).toBe("repository:library/llama3.2:pull");
    expect(url.searchParams.get("ts")).toBe(String(t.nowS()));
    expect(url.searchParams.get("nonce")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const header = req?.headers.get("authorization") as string;
    const [pub64, sig64] = header.split(":") as [string, string];
    expect(`ssh-ed25519 ${pub64}`).toBe((await Bun.file(join(home, "id_ed25519.pub")).text()).trim());
    const raw = Buffer.from(pub64, "base64").subarray(19);
    const pk = createPublicKey({
      key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
      format: "jwk",
    });
    const emptyHash = Buffer.from(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ).toString("base64");
    const text = `GET,${req?.url},${emptyHash}`;
    expect(verify(null, Buffer.from(text), pk, Buffer.from(sig64, "base64"))).toBe(true);

    expect(t.auth.preemptive(ref, "pull")).toBe("Bearer tok-1");
    t.advance(200_000);
    expect(t.auth.preemptive(ref, "pull")).toBe("Bearer tok-1");
    t.advance(100_000);
    expect(t.auth.preemptive(ref, "pull")).toBeUndefined();
  });

  test("a signed realm on another host is refused (Ollama's rule)", async () => {
    const t = setup(() => json({ token: "x" }));
    const ref = resolveRef("hf.co/user/repo:Q4_K_M");
    expect(ref.repository).toBe("user/repo");
    const p = t.auth.answer(ref, "pull", 'Bearer realm="https://evil.example/token",service="s"');
    await expect(p).rejects.toThrow(RegistryAuthError);
    expect(t.seen).toHaveLength(0);
  });

  test("other registries: Basic credentials to the realm, scope fallback for push, access_token, 60 s default", async () => {
    const t = setup(() => json({ access_token: "acc" }), "reg.example=alice:s3cret");
    const ref = resolveRef("reg.example/ns/m:1");
    const value = await t.auth.answer(ref, "push", 'Bearer realm="https://auth.example/token",service="reg"');
    expect(value).toBe("Bearer acc");
    const req = t.seen[0] as Seen;
    const url = new URL(req.url);
    expect(url.host).toBe("auth.example");
    expect(url.searchParams.get("scope")).toBe("repository:ns/m:pull,push");
    expect(url.searchParams.get("service")).toBe("reg");
    expect(url.searchParams.has("ts")).toBe(false);
    expect(req.headers.get("authorization")).toBe(`Basic ${btoa("alice:s3cret")}`);
    t.advance(50_000);
    expect(t.auth.preemptive(ref, "push")).toBe("Bearer acc");
    t.advance(11_000);
    expect(t.auth.preemptive(ref, "push")).toBeUndefined();
    expect(t.auth.preemptive(ref, "pull")).toBeUndefined();
  });

  test("concurrent challenges share one token request", async () => {
    const t = setup(() => json({ token: "one" }));
    const ref = resolveRef("reg.example/ns/m");
    const ch = 'Bearer realm="https://reg.example/token",service="reg"';
    const all = await Promise.all([1, 2, 3, 4].map(() => t.auth.answer(ref, "pull", ch)));
    expect(all).toEqual(["Bearer one", "Bearer one", "Bearer one", "Bearer one"]);
    expect(t.seen).toHaveLength(1);
  });

  test("a request's own credentials never reuse another caller's token", async () => {
    let n = 0;
    const t = setup(() => json({ token: `t${++n}` }));
    const ref = resolveRef("reg.example/ns/m");
    const ch = 'Bearer realm="https://reg.example/token"';
    await t.auth.answer(ref, "pull", ch, { username: "a", password: "1" });
    expect(t.auth.preemptive(ref, "pull", { username: "a", password: "1" })).toBe("Bearer t1");
    expect(t.auth.preemptive(ref, "pull", { username: "b", password: "2" })).toBeUndefined();
    expect(t.auth.preemptive(ref, "pull")).toBeUndefined();
  });

  test("identity tokens are exchanged with the OAuth2 refresh grant", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsllm-docker-"));
    await Bun.write(
      join(dir, "config.json"),
      JSON.stringify({ auths: { "reg.example": { identitytoken: "refresh-me" } } }),
    );
    const seen: Seen[] = [];
    const opts = { logger: log, home, dockerConfigDir: dir, resolveHost: async () => ["203.0.113.7"] };
    const auth = new Authenticator(opts, {
      log,
      policy: new RedirectPolicy(opts),
      keys: new SigningKeys({ home }, log),
      fetch: async (url, init) => {
        seen.push({
          url: url.href,
          method: init.method ?? "GET",
          headers: new Headers(init.headers),
          body: init.body as string,
        });
        return json({ access_token: "from-refresh" });
      },
    });
    const ref = resolveRef("reg.example/ns/m");
    expect(await auth.answer(ref, "pull", 'Bearer realm="https://reg.example/oauth",service="reg"')).toBe(
      "Bearer from-refresh",
    );
    expect(seen[0]?.method).toBe("POST");
    const form = new URLSearchParams(seen[0]?.body);
    expect(form.get("grant_type")).toBe("refresh_token");
    expect(form.get("refresh_token")).toBe("refresh-me");
    expect(form.get("scope")).toBe("repository:ns/m:pull");
    rmSync(dir, { recursive: true, force: true });
  });

  test("a refusing token service is a 401 naming the registry, without the secret", async () => {
    const t = setup(() => new Response("nope", { status: 401 }), "reg.example=alice:s3cret");
    const ref: RegistryRef = resolveRef("reg.example/ns/m");
    const err = await t.auth.answer(ref, "pull", 'Bearer realm="https://reg.example/token"').catch((e) => e);
    expect(err).toBeInstanceOf(RegistryAuthError);
    expect(err.status).toBe(401);
    expect(err.message).toContain("reg.example");
    expect(err.message).not.toContain("s3cret");
  });

  test("Basic challenges: configured credentials, or a clear error when there are none", async () => {
    const t = setup(() => json({}), "reg.example=bob:pw");
    expect(await t.auth.answer(resolveRef("reg.example/ns/m"), "pull", 'Basic realm="r"')).toBe(
      `Basic ${btoa("bob:pw")}`,
    );
    const other = t.auth.answer(resolveRef("other.example/ns/m"), "pull", 'Basic realm="r"');
    await expect(other).rejects.toThrow(/unauthorized: access denied to other.example/);
  });
});
