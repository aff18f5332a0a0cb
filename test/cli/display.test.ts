import { describe, expect, test } from "bun:test";
import { type Piece, ResponseDisplay } from "../../src/cli/display.ts";
import { goFloat32, goFloat32Array } from "../../src/cli/go-float.ts";

const GREY = "\x1b[38;5;245m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

/** Renders chunks the way chat/generate do; `tty` picks colour, `hide` is --hidethinking. */
function render(
  pieces: Piece[],
  o: { tty?: boolean; hide?: boolean; wrap?: boolean; columns?: number } = {},
) {
  let out = "";
  const w = { write: (s: string) => void (out += s), isTTY: o.tty ?? false, columns: o.columns ?? 80 };
  const d = new ResponseDisplay(w, o.wrap ?? false, o.hide ?? false);
  for (const p of pieces) d.push(p);
  return out;
}

/** Chat chunks' messages as a reasoning model streams them. */
const THINKING: Piece[] = [
  { thinking: "Let me " },
  { thinking: "think." },
  { content: "The answer" },
  { content: " is 4." },
];

describe("thinking display (Ollama's cmd.go chat/generate)", () => {
  test("piped: plain Thinking... block, a newline before ...done thinking. when missing", () => {
    expect(render(THINKING)).toBe("Thinking...\nLet me think.\n...done thinking.\n\nThe answer is 4.");
  });

  test("terminal: grey bold markers, the reasoning in grey", () => {
    expect(render(THINKING, { tty: true })).toBe(
      `${GREY}${BOLD}Thinking...\n${RESET}${GREY}Let me think.\n` +
        `${GREY}${BOLD}...done thinking.\n\n${RESET}The answer is 4.`,
    );
  });

  test("reasoning that ends with a newline gets no extra one", () => {
    expect(render([{ thinking: "hmm\n" }, { content: "ok" }])).toBe(
      "Thinking...\nhmm\n...done thinking.\n\nok",
    );
  });

  test("--hidethinking prints only the answer", () => {
    expect(render(THINKING, { hide: true })).toBe("The answer is 4.");
    expect(render(THINKING, { hide: true, tty: true })).toBe("The answer is 4.");
  });

  test("a reply with no reasoning has no block; reasoning alone is never closed", () => {
    expect(render([{ content: "plain" }])).toBe("plain");
    expect(render([{ thinking: "only" }])).toBe("Thinking...\nonly");
  });

  test("a tool call closes the block and is reported as Ollama's CLI does", () => {
    const call = { function: { name: "get_weather", arguments: { city: "Paris", days: 2 } } };
    expect(render([{ thinking: "use a tool" }, { toolCalls: [call] }])).toBe(
      "Thinking...\nuse a tool\n...done thinking.\n\n" +
        `  Model called a non-existent function 'get_weather()' with arguments: {"city":"Paris","days":2}`,
    );
    expect(render([{ toolCalls: [call, call] }]).split("\n")).toHaveLength(2);
    expect(render([{ toolCalls: [call] }], { tty: true })).toBe(
      `${GREY}${BOLD}  Model called a non-existent function '${RESET}get_weather${GREY}${BOLD}()' ` +
        `with arguments: ${RESET}{"city":"Paris","days":2}${GREY}${BOLD}${RESET}`,
    );
  });

  test("word wrap restarts after the block", () => {
    const out = render([{ thinking: "x".repeat(5) }, { content: "word ".repeat(30) }], {
      tty: true,
      wrap: true,
      columns: 40,
    });
    const answer = out.slice(out.indexOf(`done thinking.\n\n${RESET}`) + 20);
    for (const line of answer.split("\n")) expect(line.length).toBeLessThanOrEqual(35);
  });
});

describe("embedding output (Go's json.Marshal of []float32)", () => {
  test("shortest float32 digits, plain between 1e-6 and 1e21, exponent outside", () => {
    const cases: [number, string][] = [
      [0.10000000149011612, "0.1"],
      [-0.25, "-0.25"],
      [1, "1"],
      [123456, "123456"],
      [0.000001, "0.000001"],
      [1e-7, "1e-7"],
      [1.5e-45, "1e-45"],
      [3.4028234663852886e38, "3.4028235e+38"],
      [1e21, "1e+21"],
      [1e20, "100000000000000000000"],
      [0, "0"],
      [-0, "-0"],
      [0.0123, "0.0123"],
    ];
    for (const [x, s] of cases) expect([x, goFloat32(x)]).toEqual([x, s]);
    expect(goFloat32Array([0.5, -0.015625, 2])).toBe("[0.5,-0.015625,2]");
  });

  test("every printed number reads back as the same float32", () => {
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const x = Math.fround(((seed / 2 ** 31) * 2 - 1) * 10 ** ((seed % 13) - 6));
      expect(Math.fround(Number(goFloat32(x)))).toBe(x);
    }
  });
});
