/** Classifies IP addresses for the redirect policy: which targets count as private. */
import { isIP } from "node:net";

/** Where an address points. */
export type AddressClass = "public" | "private" | "loopback" | "link-local" | "unspecified";

/** Parses dotted IPv4 into its four bytes, or undefined. */
function v4Bytes(ip: string): number[] | undefined {
  if (isIP(ip) !== 4) return undefined;
  return ip.split(".").map((p) => Number(p));
}

/** Expands IPv6 (with `::` and an embedded IPv4 tail) into eight 16-bit groups; undefined if not IPv6. */
export function v6Groups(ip: string): number[] | undefined {
  const bare = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (isIP(bare) !== 6) return undefined;
  let text = bare;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const b = v4Bytes(tail[1] as string) as number[];
    text = `${text.slice(0, tail.index)}${((b[0] as number) * 256 + (b[1] as number)).toString(16)}:${((b[2] as number) * 256 + (b[3] as number)).toString(16)}`;
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const r = rest ? rest.split(":") : [];
  const fill = rest === undefined ? [] : new Array(8 - h.length - r.length).fill("0");
  return [...h, ...fill, ...r].map((g) => Number.parseInt(g, 16));
}

function classifyV4(b: number[]): AddressClass {
  const [a, c] = [b[0] as number, b[1] as number];
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 169 && c === 254) return "link-local";
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return "private";
  // Carrier-grade NAT (100.64/10) is as internal as RFC 1918 for a server behind it.
  if (a === 100 && c >= 64 && c <= 127) return "private";
  return "public";
}

/** The class of an IPv4 or IPv6 address; anything unparsable counts as private (refuse what is unknown). */
export function classifyAddress(ip: string): AddressClass {
  const v4 = v4Bytes(ip);
  if (v4) return classifyV4(v4);
  const g = v6Groups(ip);
  if (!g) return "private";
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64-less IPv4-compatible forms carry an IPv4 address.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    const hi = g[6] as number;
    const lo = g[7] as number;
    return classifyV4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  }
  const first = g[0] as number;
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xfe00) === 0xfc00) return "private"; // unique local fc00::/7
  if ((first & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  return "public";
}

/** True for every class a public registry must not send the client to. */
export function isInternalAddress(ip: string): boolean {
  return classifyAddress(ip) !== "public";
}
