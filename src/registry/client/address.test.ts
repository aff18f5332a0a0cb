import { describe, expect, test } from "bun:test";
import { classifyAddress } from "./address.ts";

describe("classifyAddress", () => {
  test.each([
    ["8.8.8.8", "public"],
    ["203.0.113.7", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fe80::1", "link-local"],
    ["[fe80::1%eth0]", "link-local"],
    ["fd00::1", "private"],
    ["fc12:3456::1", "private"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:7f00:1", "loopback"],
    ["2606:4700::1111", "public"],
    ["not-an-ip", "private"],
  ])("%s is %s", (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls as ReturnType<typeof classifyAddress>);
  });
});
