/** Splits a byte stream into parsed NDJSON objects, one per non-empty line. */

/** Yields each JSON value of a newline-delimited stream; a trailing line without `\n` counts too. */
export async function* ndjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line);
      nl = buf.indexOf("\n");
    }
  }
  const last = (buf + decoder.decode()).trim();
  if (last) yield JSON.parse(last);
}
