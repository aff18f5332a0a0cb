/**
 * registry.ollama.ai's redirected uploads, emulated in front of a plain registry: a PATCH marked
 * `X-Redirect-Uploads: 1` is answered with a 307 to the upload listener (its storage) and a
 * Docker-Upload-Location to continue at; the parts are PUT there, in any order; the final PUT ?digest= hands
 * the assembled bytes to the registry as one PATCH before it is forwarded.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ProxyRecord, readBody } from "./proxy-forward.ts";

/** The parts of redirected uploads, per registry upload id. */
export class RedirectedUploads {
  readonly #tickets = new Map<string, { id: string; offset: number }>();
  readonly #parts = new Map<string, { offset: number; bytes: Buffer }[]>();

  constructor(
    private readonly upstream: string,
    private readonly frontOrigin: string,
    private readonly uploadOrigin: string,
  ) {}

  /** Answers a marked PATCH of upload `id` with a 307 to the upload listener. */
  async redirect(req: IncomingMessage, res: ServerResponse, rec: ProxyRecord, url: URL, id: string) {
    await readBody(req);
    const range = /(\d+)-(\d+)/.exec(req.headers["content-range"] ?? "");
    const ticket = randomUUID();
    this.#tickets.set(ticket, { id, offset: Number(range?.[1] ?? 0) });
    rec.status = 307;
    res
      .writeHead(307, {
        location: `${this.uploadOrigin}/upload/${ticket}`,
        "docker-upload-location": `${this.frontOrigin}${url.pathname}${url.search}`,
        "content-length": "0",
      })
      .end();
  }

  /** True when `ticket` names a redirected part. */
  knows(ticket: string): boolean {
    return this.#tickets.has(ticket);
  }

  /** Keeps one part PUT to the upload listener and answers with its md5 ETag, as object storage does. */
  async put(req: IncomingMessage, res: ServerResponse, rec: ProxyRecord, ticket: string) {
    const t = this.#tickets.get(ticket) as { id: string; offset: number };
    const bytes = await readBody(req);
    rec.bytesIn = bytes.length;
    const parts = this.#parts.get(t.id) ?? [];
    parts.push({ offset: t.offset, bytes });
    this.#parts.set(t.id, parts);
    rec.status = 200;
    res.writeHead(200, { etag: `"${new Bun.CryptoHasher("md5").update(bytes).digest("hex")}"` }).end();
  }

  /** True when parts of upload `id` wait for its final PUT. */
  pending(id: string): boolean {
    return this.#parts.has(id);
  }

  /**
   * Hands upload `id`'s parts to the registry in one PATCH; returns the path and query the final PUT goes to,
   * or undefined after answering an error itself (a gap between parts, a refused PATCH).
   */
  async assemble(
    req: IncomingMessage,
    res: ServerResponse,
    rec: ProxyRecord,
    url: URL,
    id: string,
  ): Promise<string | undefined> {
    const parts = (this.#parts.get(id) ?? []).sort((a, b) => a.offset - b.offset);
    this.#parts.delete(id);
    let at = 0;
    for (const p of parts) {
      if (p.offset !== at) {
        rec.status = 400;
        res.writeHead(400).end(`upload parts leave a gap at ${at}`);
        return undefined;
      }
      at += p.bytes.length;
    }
    await readBody(req);
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const patch = await fetch(`${this.upstream}${url.pathname}${url.search}`, {
      method: "PATCH",
      headers,
      body: Buffer.concat(parts.map((p) => p.bytes)),
    });
    await patch.arrayBuffer();
    if (patch.status !== 202) {
      rec.status = patch.status;
      res.writeHead(patch.status).end(`upstream PATCH: ${patch.status}`);
      return undefined;
    }
    const next = new URL(patch.headers.get("location") as string, this.upstream);
    for (const [k, v] of url.searchParams) if (k !== "_state") next.searchParams.set(k, v);
    return `${next.pathname}${next.search}`;
  }
}
