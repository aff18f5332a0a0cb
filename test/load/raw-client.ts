/**
 * An HTTP/1.1 client on a raw TCP socket, for clients fetch cannot imitate: one that sends its headers and
 * part of its body and then stalls, or stalls inside its headers, or disappears mid-body.
 */
import type { Socket } from "bun";

/** A raw connection and what the server did with it. */
export interface RawClient {
  /** Bytes the server sent back, as text. */
  received(): string;
  /** True once the server (or we) closed the connection. */
  closed(): boolean;
  /** The status of the server's answer, once its status line arrived. */
  status(): number | undefined;
  write(data: string | Uint8Array): void;
  /** Closes the connection from our side (a client that vanishes). */
  end(): void;
}

/** Opens a connection to `url`'s host and sends `data` (typically headers and part of a body). */
export async function rawClient(url: string, data: string | Uint8Array): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  let text = "";
  let isClosed = false;
  const dec = new TextDecoder();
  const sock: Socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_s, chunk) {
        text += dec.decode(chunk, { stream: true });
      },
      close() {
        isClosed = true;
      },
      error() {
        isClosed = true;
      },
      end() {
        isClosed = true;
      },
    },
  });
  sock.write(data);
  return {
    received: () => text,
    closed: () => isClosed,
    status: () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      return m ? Number(m[1]) : undefined;
    },
    write: (d) => void sock.write(d),
    end: () => sock.end(),
  };
}

/** Request head for a POST of `length` body bytes. */
export function postHead(url: string, path: string, length: number, type = "application/json"): string {
  const host = new URL(url).host;
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
}
