import { describe, expect, test } from "bun:test";
import { RedirectRefusedError } from "../errors.ts";
import { RedirectPolicy } from "./redirect-policy.ts";
import { resolveRef } from "./ref.ts";

const DNS: Record<string, string[]> = {
  "registry.example": ["203.0.113.7"],
  "cdn.example": ["198.51.100.1", "2001:db8::1"],
  "sneaky.example": ["198.51.100.2", "10.0.0.5"],
  "metadata.example": ["169.254.169.254"],
  "inhouse.example": ["192.168.3.4"],
};
const resolveHost = async (h: string) => {
  const a = DNS[h];
  if (!a) throw new Error("ENOTFOUND");
  return a;
};
const check = (policy: RedirectPolicy, name: string, from: string, to: string, insecure = false) =>
  policy.check(resolveRef(name, { insecure }), new URL(from), new URL(to));

describe("redirect policy", () => {
  const policy = new RedirectPolicy({ resolveHost });

  test("a public registry may send the client to public hosts", async () => {
    await check(policy, "registry.example/ns/m", "https://registry.example/v2/x", "https://cdn.example/blob");
  });

  test("a public registry may not send it to private, loopback or link-local targets", async () => {
    for (const to of [
      "https://sneaky.example/b",
      "https://metadata.example/latest",
      "http://127.0.0.1:8080/",
      "https://[::1]/",
      "https://10.0.0.1/",
    ]) {
      const from = "https://registry.example/v2/x";
      await expect(check(policy, "registry.example/ns/m", from, to)).rejects.toThrow(RedirectRefusedError);
    }
  });

  test("a registry on a private or loopback address may redirect to private addresses", async () => {
    await check(policy, "inhouse.example/ns/m", "https://inhouse.example/v2/x", "https://10.0.0.1/b");
    await check(policy, "127.0.0.1:5000/ns/m", "http://127.0.0.1:5000/v2/x", "http://127.0.0.1:6000/b", true);
  });

  test("TSLLM_REGISTRY_PRIVATE_REDIRECTS allows them", async () => {
    const open = new RedirectPolicy({ resolveHost, privateRedirects: true });
    await check(open, "registry.example/ns/m", "https://registry.example/v2/x", "https://metadata.example/x");
  });

  test("https → http is refused unless insecure; odd schemes and unresolvable hosts are refused", async () => {
    const from = "https://registry.example/v2/x";
    await expect(check(policy, "registry.example/ns/m", from, "http://cdn.example/b")).rejects.toThrow(
      /downgrade/,
    );
    await check(
      policy,
      "registry.example/ns/m",
      "http://registry.example/v2/x",
      "http://cdn.example/b",
      true,
    );
    await expect(check(policy, "registry.example/ns/m", from, "file:///etc/passwd")).rejects.toThrow(
      /scheme/,
    );
    await expect(check(policy, "registry.example/ns/m", from, "https://nowhere.example/")).rejects.toThrow(
      /resolve/,
    );
  });

  test("the refusal is a 502 and its message has no query string", async () => {
    const err = await check(
      policy,
      "registry.example/ns/m",
      "https://registry.example/v2/x",
      "https://10.1.1.1/b?X-Sig=secret",
    ).catch((e) => e);
    expect(err).toBeInstanceOf(RedirectRefusedError);
    expect(err.status).toBe(502);
    expect(err.message).not.toContain("secret");
  });
});
