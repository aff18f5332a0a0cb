/**
 * The worker's routes, best first: an answer one route cannot read (a chunked body) is asked again by the
 * next, down to fetch, and every route's bytes land exactly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveBlob } from "../../../test/registry/harness/blob-http.ts";
import { linuxIo } from "./linux-io.ts";
import { TransferWorker } from "./transfer.ts";

const SIZE = (2 << 20) + 5;
const body = new Uint8Array(SIZE).map((_, i) => (i * 7 + (i >> 10)) & 0xff);
const entry = new URL("./transfer-worker.ts", import.meta.url).href;

describe("transfer worker routes", () => {
  let server: ReturnType<typeof Bun.serve>;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsllm-routes-"));
    server = serveBlob(body, [body.subarray(0, 1 << 20), body.subarray(1 << 20)]);
  });
  afterAll(() => {
    server.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });

  async function fetchVia(path: string, splice: boolean) {
    const file = join(dir, `b${Math.random()}`);
    writeFileSync(file, new Uint8Array(SIZE));
    const t = new TransferWorker(file, () => new Worker(entry), false, splice);
    try {
      const signal = new AbortController().signal;
      const req = await t.get(`http://127.0.0.1:${server.port}${path}`, {}, 5000, signal);
      let written = 0;
      await req.fill(0, [{ offset: 0, size: SIZE, done: 0 }], signal, (n) => {
        written += n;
      });
      return { route: req.answer.route, written, bytes: readFileSync(file) };
    } finally {
      await t.close();
    }
  }

  test("a plain answer: splice where Linux allows it, else the bare socket", async () => {
    const r = await fetchVia("/blob", true);
    expect(r.route).toBe(linuxIo() ? "splice" : "socket");
    expect(r.written).toBe(SIZE);
    expect(r.bytes.equals(body)).toBe(true);
  });

  test("splice off: the bare socket", async () => {
    const r = await fetchVia("/blob", false);
    expect(r.route).toBe("socket");
    expect(r.bytes.equals(body)).toBe(true);
  });

  test("a chunked answer falls through splice and the socket to fetch", async () => {
    const r = await fetchVia("/chunked", true);
    expect(r.route).toBe("fetch");
    expect(r.written).toBe(SIZE);
    expect(r.bytes.equals(body)).toBe(true);
  });
});
