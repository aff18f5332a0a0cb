/**
 * Optional HTTPS (TSLLM_TLS_CERT + TSLLM_TLS_KEY) with a self-signed certificate made by openssl: the
 * server answers over TLS only, says https in its URL and log, keeps the guard on, refuses half a setting,
 * and the CLI talks to it through an https:// TSLLM_HOST.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessConfigError } from "../../src/api/guard/index.ts";
import { startServer } from "../../src/cli/serve.ts";
import { Env } from "../../src/config/env.ts";
import { Logger } from "../../src/log.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

const openssl = Bun.which("openssl");
const dir = mkdtempSync(join(tmpdir(), "tsllm-tls-"));
const cert = join(dir, "cert.pem");
const key = join(dir, "key.pem");
const insecure = { tls: { rejectUnauthorized: false } };

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate for localhost and 127.0.0.1. */
function makeCert(): void {
  const r = spawnSync(
    openssl as string,
    [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
      ...["-keyout", key, "-out", cert, "-subj", "/CN=localhost"],
      ...["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
    ],
    { stdio: "pipe" },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
}

/** startServer's environment for a test (the rest as startTestServer sets it). */
function env(extra: Record<string, string>): Env {
  return new Env({
    ...process.env,
    TSLLM_HOST: "127.0.0.1:0",
    TSLLM_MODELS: join(dir, "models"),
    TSLLM_RUNTIME_DIR: dir,
    TSLLM_LLM_LIBRARY: "cpu",
    ...extra,
  });
}

// Skipped with a reason where openssl is missing: the certificate is made by it.
describe.skipIf(!openssl)("TLS (needs openssl to make a self-signed certificate)", () => {
  let s: TestServer;
  beforeAll(async () => {
    makeCert();
    s = await startTestServer({ TSLLM_TLS_CERT: cert, TSLLM_TLS_KEY: key, TSLLM_API_KEYS: "tls-key-1" });
  });
  afterAll(() => s?.stop());

  test("serves HTTPS at an https:// URL, with the guard on", async () => {
    expect(s.url).toStartWith("https://127.0.0.1:");
    const version = await fetch(`${s.url}/api/version`, insecure);
    expect(version.status).toBe(200);
    expect((await fetch(`${s.url}/api/tags`, insecure)).status).toBe(401);
    const tags = await fetch(`${s.url}/api/tags`, {
      ...insecure,
      headers: { authorization: "Bearer tls-key-1" },
    });
    expect(tags.status).toBe(200);
    expect(
      (await fetch(`${s.url}/api/version`, { ...insecure, headers: { host: "evil.example" } })).status,
    ).toBe(403);
  });

  test("the certificate is checked unless trusted; plain HTTP is not served", async () => {
    await expect(fetch(`${s.url}/api/version`)).rejects.toThrow();
    const plain = await fetch(s.url.replace("https://", "http://")).then(
      (r) => r.status,
      () => "refused",
    );
    expect(plain).not.toBe(200);
  });

  test("the CLI talks to an https:// TSLLM_HOST that trusts the certificate", async () => {
    // Spawned without blocking: the server runs in this process.
    const proc = Bun.spawn(["bun", join(import.meta.dir, "../../src/main.ts"), "list"], {
      env: { ...process.env, TSLLM_HOST: s.url, TSLLM_API_KEY: "tls-key-1", NODE_EXTRA_CA_CERTS: cert },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(err).toBe("");
    expect(out).toStartWith("NAME");
    expect(code).toBe(0);
  });

  test("the log line names the https URL", async () => {
    let logged = "";
    const realWrite = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      logged += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      const server = await startServer(env({ TSLLM_TLS_CERT: cert, TSLLM_TLS_KEY: key }), new Logger("info"));
      await server.stop(1000);
    } finally {
      process.stderr.write = realWrite;
    }
    expect(logged).toMatch(/Listening on https:\/\/127\.0\.0\.1:\d+ /);
  });
});

describe("TLS settings that cannot work stop serve at startup", () => {
  test("a certificate without its key, or a key without its certificate", async () => {
    await expect(startServer(env({ TSLLM_TLS_CERT: cert }), new Logger("error"))).rejects.toThrow(
      "TLS needs both TSLLM_TLS_CERT and TSLLM_TLS_KEY; only TSLLM_TLS_CERT is set",
    );
    await expect(startServer(env({ TSLLM_TLS_KEY: key }), new Logger("error"))).rejects.toBeInstanceOf(
      AccessConfigError,
    );
  });

  test("an unreadable file is named by its setting, not its path", async () => {
    const missing = join(dir, "no-such-cert.pem");
    const err = await startServer(
      env({ TSLLM_TLS_CERT: missing, TSLLM_TLS_KEY: key }),
      new Logger("error"),
    ).catch((e: Error) => e);
    expect((err as Error).message).toBe("TSLLM_TLS_CERT: the file cannot be read (ENOENT)");
  });
});
