import { describe, expect, test } from "bun:test";
import { HostPolicy, hostName, isLoopbackBind } from "./hosts.ts";

const policy = (bind: string, allowed: string[] = []) =>
  new HostPolicy({ bind, allowed, machine: "MyBox", localAddresses: ["203.0.113.7", "fe80::1%eth0"] });

describe("hostName", () => {
  test("strips port, brackets and a trailing dot; lower-cases", () => {
    expect(hostName("LocalHost:11434")).toBe("localhost");
    expect(hostName("[::1]:80")).toBe("::1");
    expect(hostName("::1")).toBe("::1");
    expect(hostName("example.com.")).toBe("example.com");
    expect(hostName("")).toBe("");
  });
});

describe("isLoopbackBind", () => {
  test("loopback IPs and localhost names only", () => {
    for (const b of ["127.0.0.1", "127.1.2.3", "::1", "localhost", "api.localhost"])
      expect([b, isLoopbackBind(b)]).toEqual([b, true]);
    for (const b of ["", "0.0.0.0", "::", "192.168.1.2", "myhost.lan"])
      expect([b, isLoopbackBind(b)]).toEqual([b, false]);
  });
});

describe("HostPolicy", () => {
  test("loopback bind: Ollama's names and local IP literals", () => {
    const p = policy("127.0.0.1");
    for (const h of [
      "localhost",
      "mybox",
      "MYBOX:1",
      "x.localhost",
      "nas.local",
      "db.internal",
      "127.9.9.9",
      "[::1]",
      "10.0.0.1",
      "172.16.0.1",
      "192.168.1.1",
      "[fd12:3456::1]",
      "0.0.0.0",
      "[::]",
      "203.0.113.7:80",
      null,
      "",
    ])
      expect([h, p.allows(h)]).toEqual([h, true]);
    for (const h of [
      "evil.example",
      "8.8.8.8",
      "172.32.0.1",
      "[fc::1]",
      "[2001:db8::1]",
      "localhost.evil",
      "local",
      "internal",
    ])
      expect([h, p.allows(h)]).toEqual([h, false]);
  });

  test("non-loopback bind: any host, unless a list is set", () => {
    expect(policy("0.0.0.0").allows("evil.example")).toBe(true);
    expect(policy("0.0.0.0").restricted).toBe(false);
    expect(policy("127.0.0.1").restricted).toBe(true);
    expect(policy("").allows("evil.example")).toBe(true);
    const listed = policy("0.0.0.0", ["gpu.lan", "*.corp.example", "198.51.100.4"]);
    expect(listed.allows("gpu.lan:11434")).toBe(true);
    expect(listed.allows("a.b.corp.example")).toBe(true);
    expect(listed.allows("198.51.100.4")).toBe(true);
    expect(listed.allows("corp.example")).toBe(false);
    expect(listed.allows("evil.example")).toBe(false);
  });

  test("a named bind address is itself allowed; * allows all", () => {
    expect(policy("gpu.lan", ["other.lan"]).allows("gpu.lan")).toBe(true);
    expect(policy("127.0.0.1", ["*"]).allows("evil.example")).toBe(true);
  });
});
