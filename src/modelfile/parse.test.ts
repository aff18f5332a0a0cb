import { describe, expect, test } from "bun:test";
import { ModelfileError } from "./errors.ts";
import { parseModelfile } from "./parse.ts";

const fails = (text: string): ModelfileError => {
  try {
    parseModelfile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelfileError);
    expect((e as ModelfileError).status).toBe(400);
    return e as ModelfileError;
  }
  throw new Error("expected a ModelfileError");
};

describe("parseModelfile", () => {
  test("every instruction, case-insensitive, with comments", () => {
    const mf = parseModelfile(`# a comment
from llama3.2
Parameter temperature 0.7
PARAMETER num_ctx 8192
PARAMETER stop <|eot_id|>
PARAMETER stop "<|start_header_id|>"
PARAMETER use_mmap false
TEMPLATE """{{ if .System }}<|start_header_id|>system<|end_header_id|>

{{ .System }}<|eot_id|>{{ end }}"""
SYSTEM You are Mario from Super Mario Bros.
MESSAGE user Is Toronto in Canada?
MESSAGE assistant "yes"
LICENSE MIT
LICENSE """second
license"""
ADAPTER ./lora.gguf
`);
    expect(mf.from).toEqual(["llama3.2"]);
    expect(mf.parameters).toEqual({
      temperature: 0.7,
      num_ctx: 8192,
      stop: ["<|eot_id|>", "<|start_header_id|>"],
      use_mmap: false,
    });
    expect(mf.template).toBe(
      "{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}",
    );
    expect(mf.system).toBe("You are Mario from Super Mario Bros.");
    expect(mf.messages).toEqual([
      { role: "user", content: "Is Toronto in Canada?" },
      { role: "assistant", content: "yes" },
    ]);
    expect(mf.license).toEqual(["MIT", "second\nlicense"]);
    expect(mf.adapters).toEqual(["./lora.gguf"]);
    expect(mf.commands.map((c) => c.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 17]);
  });

  test("quoted values keep inner spaces; the last TEMPLATE/SYSTEM wins", () => {
    const mf = parseModelfile('FROM x\nSYSTEM "  padded  "\nSYSTEM """ say "hi" """\n');
    expect(mf.system).toBe(' say "hi" ');
  });

  test("CRLF line endings, tabs and a BOM", () => {
    const mf = parseModelfile("\uFEFFFROM\tmodel.gguf\r\nPARAMETER\ttop_k 20\r\n");
    expect(mf.from).toEqual(["model.gguf"]);
    expect(mf.parameters).toEqual({ top_k: 20 });
  });

  test("UTF-16 input with a byte-order mark", () => {
    const text = "FROM x\nSYSTEM héllo\n";
    const bytes = new Uint8Array([0xff, 0xfe, ...Buffer.from(text, "utf16le")]);
    expect(parseModelfile(bytes).system).toBe("héllo");
  });

  test("deprecated parameters are ignored with a warning", () => {
    const mf = parseModelfile("FROM x\nPARAMETER penalize_newline true\n");
    expect(mf.parameters).toEqual({});
    expect(mf.warnings).toEqual(["parameter penalize_newline is deprecated"]);
  });

  test("errors name the problem and the line", () => {
    expect(fails("FROM x\nPARAMETER nope 1\n").message).toBe("(line 2): unknown parameter 'nope'");
    expect(fails("FROM x\n\nPARAMETER num_ctx lots\n").message).toBe(
      "(line 3): invalid int value [lots] for parameter 'num_ctx'",
    );
    expect(fails("FROM x\nPARAMETER temperature hot\n").message).toContain("invalid float value [hot]");
    expect(fails("FROM x\nPARAMETER use_mmap maybe\n").message).toContain("invalid bool value [maybe]");
    expect(fails("FROM x\nFOO bar\n").message).toBe(
      '(line 2): command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"',
    );
    expect(fails("FROM x\nMESSAGE tool hi\n").message).toBe(
      '(line 2): message role must be one of "system", "user", or "assistant"',
    );
    expect(fails("SYSTEM hi\n").message).toBe("no FROM line");
    expect(fails('FROM x\nTEMPLATE """never closed\n').message).toBe("unexpected EOF");
    expect(fails("FROM x\nREQUIRES not-a-version\n").message).toContain("requires must be a valid semver");
  });

  test("REQUIRES accepts an optional v prefix", () => {
    expect(parseModelfile("FROM x\nREQUIRES v0.14.0\n").requires).toBe("0.14.0");
  });
});

describe("multi-line values", () => {
  test("a triple quote opened on the instruction line keeps inner newlines", () => {
    const mf = parseModelfile('FROM x\nSYSTEM """\nline one\n  line two\n"""\nPARAMETER seed 42\n');
    expect(mf.system).toBe("\nline one\n  line two\n");
    expect(mf.parameters).toEqual({ seed: 42 });
  });

  test("single quotes may span lines too", () => {
    expect(parseModelfile('FROM x\nSYSTEM "a\nb"\n').system).toBe("a\nb");
  });
});
