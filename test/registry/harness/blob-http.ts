/**
 * A bare HTTP server on loopback for the transfer clients' tests: `/chunked` answers with `chunks` as a
 * streamed (chunked) body, which the socket clients leave to fetch; any other path answers `body`, as a 206
 * with a Content-Range when `partial`.
 */
export function serveBlob(
  body: Uint8Array,
  chunks: Uint8Array[],
  partial = false,
): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) =>
      new URL(req.url).pathname === "/chunked"
        ? new Response(
            new ReadableStream({
              start(c) {
                for (const chunk of chunks) c.enqueue(chunk);
                c.close();
              },
            }),
          )
        : partial
          ? new Response(body, { status: 206, headers: { "content-range": `bytes 0-${body.length - 1}/*` } })
          : new Response(body),
  });
}
