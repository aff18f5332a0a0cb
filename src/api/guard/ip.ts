/**
 * IP literal classification for the Host check, as Go's netip does it for Ollama: loopback, private
 * (RFC 1918 / RFC 4193), unspecified; IPv4-mapped IPv6 addresses are judged as their IPv4 address.
 */
import { isIP } from "node:net";

/** Canonical text of an IP literal (IPv6 compressed, lower case, mapped IPv4 unmapped); undefined if not an IP. */
export function canonicalIp(text: string): string | undefined {
  const kind = isIP(text);
  if (kind === 4) return text;
  if (kind !== 6) return undefined;
  // The URL parser canonicalises IPv6 ("0:0::1" → "::1", "::ffff:127.0.0.1" → "::ffff:7f00:1"); it
  // rejects a zone ("%eth0"), which says nothing about the address class.
  const host = new URL(`http://[${text.split("%")[0]}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!mapped) return host;
  const hi = Number.parseInt(mapped[1] as string, 16);
  const lo = Number.parseInt(mapped[2] as string, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function v4(ip: string): number[] {
  return ip.split(".").map(Number);
}

/** 127.0.0.0/8 or ::1 (canonical input). */
export function isLoopbackIp(ip: string): boolean {
  return ip === "::1" || (ip.includes(".") && v4(ip)[0] === 127);
}

/** 10/8, 172.16/12, 192.168/16 or fc00::/7 (canonical input). */
export function isPrivateIp(ip: string): boolean {
  if (!ip.includes(".")) return /^f[cd][0-9a-f]{2}:/.test(ip);
  const [a, b] = v4(ip) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168);
}

/** 0.0.0.0 or :: (canonical input). */
export function isUnspecifiedIp(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}
