/**
 * A Docker token service for tests: checks Basic credentials (GET, Docker's token flow) or an OAuth2 password
 * form (POST) and issues ES256 JWTs that distribution 2.8's token auth accepts. The signing key and its
 * self-signed certificate are made with `openssl`; the certificate is both the registry's `rootcertbundle` and
 * the token header's `x5c` chain (registry/auth/token/token.go: iss, aud = service, exp/nbf within 60 s leeway,
 * `access` lists the granted repository actions).
 */
import { createPrivateKey, createSign, type KeyObject, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One token request as the service saw it. */
export interface TokenRequest {
  readonly method: string;
  /** The user whose credentials were valid, `null` when none were sent, `"!invalid"` when they were wrong. */
  readonly user: string | null;
  readonly scopes: readonly string[];
}

/** A started token service: what startRegistry({ kind: "token", … }) needs, and a log of requests. */
export interface TokenService {
  /** `http://127.0.0.1:PORT/token` */
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  /** PEM file with the signing certificate (the registry's `rootcertbundle`). */
  readonly rootCertBundle: string;
  /** Every token request so far, in order. */
  readonly requests: readonly TokenRequest[];
  /** Signs a token for `scopes` (`repository:ns/m:pull,push`) directly, for seeding a registry. */
  token(scopes: readonly string[], subject?: string): string;
  /** `{ authorization: "Bearer …" }` granting pull and push on `repo`. */
  headers(repo: string): Record<string, string>;
  stop(): Promise<void>;
}

/** Who may ask for tokens. */
export interface TokenServiceOptions {
  /** user → password; a user is granted whatever actions it asks for. */
  readonly users: Record<string, string>;
  readonly service?: string;
  readonly issuer?: string;
}

const b64url = (b: Uint8Array | string) => Buffer.from(b).toString("base64url");

function makeKeyPair(dir: string): { key: KeyObject; certDer: string; certPem: string } {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  const r = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "2",
      "-subj",
      "/CN=tsllm-test-token-service",
    ],
    { stderr: "pipe" },
  );
  if (r.exitCode !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  const certPem = readFileSync(certPath, "utf8");
  const certDer = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, "");
  return { key: createPrivateKey(readFileSync(keyPath)), certDer, certPem: certPath };
}

/** `repository:ns/m:pull,push` → the JWT `access` entry (Docker's scope grammar; the name may contain ':'). */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | null {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first < 0 || last <= first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(",")
      .filter((a) => a !== ""),
  };
}

function basicUser(header: string | null, users: Record<string, string>): string | null {
  if (header === null || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString();
  const colon = decoded.indexOf(":");
  const user = decoded.slice(0, colon);
  return colon > 0 && users[user] === decoded.slice(colon + 1) ? user : "!invalid";
}

/** Starts the token service on a free loopback port. */
export async function startTokenService(opts: TokenServiceOptions): Promise<TokenService> {
  const dir = mkdtempSync(join(tmpdir(), "tsllm-token-"));
  const { key, certDer, certPem } = makeKeyPair(dir);
  const service = opts.service ?? "tsllm-test-registry";
  const issuer = opts.issuer ?? "tsllm-test-issuer";
  const requests: TokenRequest[] = [];

  const sign = (scopes: readonly string[], subject: string): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "ES256", x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 600,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      access: scopes.map(parseScope).filter((s) => s !== null),
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    // distribution verifies ES256 as raw r‖s (JOSE), not DER.
    const sig = createSign("sha256").update(input).sign({ key, dsaEncoding: "ieee-p1363" });
    return `${input}.${b64url(sig)}`;
  };

  const answer = (user: string | null, scopes: string[]): Response => {
    if (user === "!invalid") {
      return Response.json(
        { errors: [{ code: "UNAUTHORIZED", message: "invalid username or password" }] },
        { status: 401 },
      );
    }
    // Anonymous callers get a token that grants nothing, as public token services answer for private repos.
    const token = sign(user === null ? [] : scopes, user ?? "");
    return Response.json({
      token,
      access_token: token,
      expires_in: 600,
      issued_at: new Date().toISOString(),
    });
  };

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname !== "/token") return new Response("not found", { status: 404 });
      if (req.method === "POST") {
        const form = new URLSearchParams(await req.text());
        const name = form.get("username");
        const user =
          name === null ? null : opts.users[name] === form.get("password") && name !== "" ? name : "!invalid";
        const scopes = (form.get("scope") ?? "").split(" ").filter((s) => s !== "");
        requests.push({ method: "POST", user, scopes });
        return answer(user, scopes);
      }
      const user = basicUser(req.headers.get("authorization"), opts.users);
      const scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ").filter((x) => x !== ""));
      requests.push({ method: req.method, user, scopes });
      return answer(user, scopes);
    },
  });

  return {
    realm: `http://127.0.0.1:${server.port}/token`,
    service,
    issuer,
    rootCertBundle: certPem,
    requests,
    token: (scopes, subject = "seeder") => sign(scopes, subject),
    headers: (repo) => ({ authorization: `Bearer ${sign([`repository:${repo}:pull,push`], "seeder")}` }),
    async stop() {
      await server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
