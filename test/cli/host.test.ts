import { describe, expect, test } from "bun:test";
import { bindAddress, parseHost, serverUrl, urlHost } from "../../src/cli/host.ts";
import { Env } from "../../src/config/env.ts";

/** A parsed setting written as Go's url.URL.String() writes envconfig.Host(). */
function goUrl(value: string): string {
  const h = parseHost(value);
  return `${h.scheme}://${urlHost(h.hostname, h.port)}${h.path ? `/${h.path}` : ""}`;
}

describe("host settings (Ollama's envconfig.Host)", () => {
  test("every case of Ollama's TestHost", () => {
    const cases: [string, string][] = [
      ["", "http://127.0.0.1:11434"],
      ["1.2.3.4", "http://1.2.3.4:11434"],
      [":1234", "http://:1234"],
      ["1.2.3.4:1234", "http://1.2.3.4:1234"],
      ["example.com", "http://example.com:11434"],
      ["example.com:1234", "http://example.com:1234"],
      [":0", "http://:0"],
      [":66000", "http://:11434"],
      [":-1", "http://:11434"],
      ["[::1]", "http://[::1]:11434"],
      ["[::]", "http://[::]:11434"],
      ["::1", "http://[::1]:11434"],
      ["[::1]:1337", "http://[::1]:1337"],
      [" 1.2.3.4 ", "http://1.2.3.4:11434"],
      ['"1.2.3.4"', "http://1.2.3.4:11434"],
      [' " 1.2.3.4 " ', "http://1.2.3.4:11434"],
      ["'1.2.3.4'", "http://1.2.3.4:11434"],
      ["http://1.2.3.4", "http://1.2.3.4:80"],
      ["http://1.2.3.4:4321", "http://1.2.3.4:4321"],
      ["https://1.2.3.4", "https://1.2.3.4:443"],
      ["https://1.2.3.4:4321", "https://1.2.3.4:4321"],
      ["https://example.com/ollama", "https://example.com:443/ollama"],
      ["ollama.com", "https://ollama.com:443"],
    ];
    for (const [value, expected] of cases) expect([value, goUrl(value)]).toEqual([value, expected]);
  });

  test("an unusable port falls back to the default and is reported", () => {
    expect(parseHost("host:abc")).toEqual({
      scheme: "http",
      hostname: "host",
      port: 11434,
      path: "",
      invalidPort: "abc",
    });
    expect(parseHost("https://h:").invalidPort).toBe("");
  });

  test("TSLLM_HOST wins; OLLAMA_HOST is used when it is unset or empty", () => {
    const url = (vars: Record<string, string>) => serverUrl(new Env(vars)).href;
    expect(url({})).toBe("http://127.0.0.1:11434/");
    expect(url({ OLLAMA_HOST: "10.0.0.2:9999" })).toBe("http://10.0.0.2:9999/");
    expect(url({ OLLAMA_HOST: "10.0.0.2:9999", TSLLM_HOST: "" })).toBe("http://10.0.0.2:9999/");
    expect(url({ OLLAMA_HOST: "10.0.0.2:9999", TSLLM_HOST: "127.0.0.1:1" })).toBe("http://127.0.0.1:1/");
    expect(bindAddress(new Env({ OLLAMA_HOST: "[::1]:8080" }))).toEqual({
      hostname: "::1",
      port: 8080,
      invalidPort: undefined,
    });
  });

  test("the client connects to this machine for bind-anywhere addresses (Ollama's ConnectableHost)", () => {
    const url = (h: string) => serverUrl(new Env({ TSLLM_HOST: h })).href;
    expect(url("0.0.0.0")).toBe("http://127.0.0.1:11434/");
    expect(url(":8080")).toBe("http://127.0.0.1:8080/");
    expect(url("[::]:1234")).toBe("http://[::1]:1234/");
    expect(url("https://0.0.0.0:4321")).toBe("https://127.0.0.1:4321/");
    expect(url("192.168.1.5")).toBe("http://192.168.1.5:11434/");
    expect(url("http://example.com")).toBe("http://example.com/");
    expect(url("https://example.com:8443/base/")).toBe("https://example.com:8443/base");
  });

  test("serve binds every interface for `:port`, as Go's net.Listen does", () => {
    expect(bindAddress(new Env({ TSLLM_HOST: ":8080" })).hostname).toBe("0.0.0.0");
    expect(bindAddress(new Env({})).hostname).toBe("127.0.0.1");
  });
});
