import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveBlob } from "../../../test/registry/harness/blob-http.ts";
import { socketGet, UnframedAnswerError } from "./socket-get.ts";

const body = new Uint8Array((3 << 20) + 17).map((_, i) => (i * 31) & 0xff);

/** Reads a whole answer through socketGet. */
async function getAll(url: string): Promise<{ status: number; bytes: Buffer; complete: boolean }> {
  const g = socketGet(url, { Range: "bytes=0-" });
  const { status } = await g.answer;
  const chunks: Uint8Array[] = [];
  const complete = await g.body((c) => chunks.push(c));
  return { status, bytes: Buffer.concat(chunks), complete };
}

describe("socketGet over plain HTTP", () => {
  let server: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    server = serveBlob(body, [body.subarray(0, 1000)], true);
  });
  afterAll(() => server.stop(true));

  test("the answer's status and headers, then every body byte in order", async () => {
    const g = socketGet(`http://127.0.0.1:${server.port}/blob`, { Range: "bytes=0-" });
    const answer = await g.answer;
    expect(answer.status).toBe(206);
    expect(answer.headers["content-length"]).toBe(String(body.length));
    const chunks: Uint8Array[] = [];
    expect(await g.body((c) => chunks.push(c))).toBe(true);
    expect(Buffer.concat(chunks).equals(body)).toBe(true);
  });

  test("a chunked answer is left to fetch", async () => {
    await expect(getAll(`http://127.0.0.1:${server.port}/chunked`)).rejects.toBeInstanceOf(
      UnframedAnswerError,
    );
  });
});

const openssl = Bun.which("openssl");

describe.skipIf(!openssl)("socketGet over TLS (certificates made by openssl)", () => {
  let dir: string;
  const certFor = (name: string, san: string) => {
    const r = Bun.spawnSync([
      openssl as string,
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"],
      ...["-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.pem`), "-subj", `/CN=${name}`],
      ...["-addext", `subjectAltName=${san}`],
    ]);
    if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsllm-socket-tls-"));
    certFor("localhost", "DNS:localhost,IP:127.0.0.1");
    certFor("other", "DNS:other.example");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Serves `body` over TLS with `cert` and runs socketGet against it in a child trusting `trust`. */
  async function fetchIn(cert: string, trust: string | undefined): Promise<string> {
    const server = Bun.serve({
      port: 0,
      tls: { cert: Bun.file(join(dir, `${cert}.pem`)), key: Bun.file(join(dir, `${cert}.key`)) },
      fetch: () => new Response(body),
    });
    try {
      const script = `
        import { socketGet } from ${JSON.stringify(join(import.meta.dir, "socket-get.ts"))};
        const g = socketGet("https://localhost:${server.port}/x", {});
        try { await g.answer; let n = 0; await g.body((c) => { n += c.byteLength; }); console.log("ok " + n); }
        catch (e) { console.log("refused " + e.message); }`;
      const env = { ...process.env, ...(trust ? { NODE_EXTRA_CA_CERTS: join(dir, `${trust}.pem`) } : {}) };
      const child = Bun.spawn([process.execPath, "-e", script], { env, stdout: "pipe", stderr: "inherit" });
      return (await new Response(child.stdout).text()).trim();
    } finally {
      server.stop(true);
    }
  }

  test("a trusted certificate for the host: the body arrives", async () => {
    expect(await fetchIn("localhost", "localhost")).toBe(`ok ${body.length}`);
  });

  test("a certificate no CA vouches for is refused before the request is sent", async () => {
    expect(await fetchIn("localhost", undefined)).toStartWith(
      "refused TLS certificate refused for localhost",
    );
  });

  test("a trusted certificate for another host name is refused", async () => {
    expect(await fetchIn("other", "other")).toContain("does not match");
  });
});
