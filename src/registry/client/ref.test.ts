import { describe, expect, test } from "bun:test";
import { InvalidNameError } from "../../store/index.ts";
import { InsecureProtocolError } from "../errors.ts";
import { resolveRef } from "./ref.ts";
import { userAgent } from "./user-agent.ts";

describe("resolveRef", () => {
  test("Ollama's defaults", () => {
    const r = resolveRef("llama3.2");
    expect(r.base).toBe("https://registry.ollama.ai");
    expect(r.repository).toBe("library/llama3.2");
    expect(r.name.tag).toBe("latest");
  });

  test("Hugging Face names are ordinary hosts: user/repo, quant as the tag", () => {
    for (const host of ["hf.co", "huggingface.co"]) {
      const r = resolveRef(`${host}/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M`);
      expect(r.base).toBe(`https://${host}`);
      expect(r.repository).toBe("bartowski/Llama-3.2-1B-Instruct-GGUF");
      expect(r.name.tag).toBe("Q4_K_M");
    }
  });

  test("http needs insecure; insecure sends everything over http", () => {
    expect(() => resolveRef("http://127.0.0.1:5000/ns/m")).toThrow(InsecureProtocolError);
    expect(() => resolveRef("http://127.0.0.1:5000/ns/m")).toThrow("insecure protocol http");
    expect(resolveRef("http://127.0.0.1:5000/ns/m", { insecure: true }).base).toBe("http://127.0.0.1:5000");
    expect(resolveRef("127.0.0.1:5000/ns/m:t", { insecure: true }).base).toBe("http://127.0.0.1:5000");
    expect(resolveRef("https://reg.example/ns/m").base).toBe("https://reg.example");
  });

  test("bad names and schemes are 400s", () => {
    expect(() => resolveRef("ftp://reg.example/ns/m")).toThrow(InvalidNameError);
    expect(() => resolveRef("a//b")).toThrow(InvalidNameError);
    expect(() => resolveRef("reg.example:99999/ns/m")).toThrow(InvalidNameError);
  });

  test("the User-Agent is shaped like Ollama's", () => {
    expect(userAgent()).toMatch(/^tsllm\/[^ ]+ \([a-z0-9]+ [a-z]+\) Bun\/\d/);
  });
});
