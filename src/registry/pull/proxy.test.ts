import { expect, test } from "bun:test";
import { Env } from "../../config/env.ts";
import { proxyConfigured } from "./proxy.ts";

test("any of the proxy variables, upper or lower case, counts; empty ones do not", () => {
  expect(proxyConfigured(new Env({}))).toBe(false);
  expect(proxyConfigured(new Env({ HTTPS_PROXY: "", http_proxy: "" }))).toBe(false);
  expect(proxyConfigured(new Env({ HTTPS_PROXY: "http://p:3128" }))).toBe(true);
  expect(proxyConfigured(new Env({ http_proxy: "http://p:3128" }))).toBe(true);
  expect(proxyConfigured(new Env({ all_proxy: "socks5://p:1080" }))).toBe(true);
});
