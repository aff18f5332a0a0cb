import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { synthModel, toolModels } from "../../../test/fixtures/models.ts";
import { useNativeBackend } from "../../../test/helpers/native.ts";
import { schemaToGbnf } from "../../inference/grammar/json-schema.ts";
import { Model } from "./model.ts";
import { grammarTraits, prefixGroups } from "./prefix-groups.ts";

describe("grammarTraits", () => {
  test("token rules are found outside literals, classes and comments only", () => {
    expect(grammarTraits('root ::= "a" <[12]>').tokenRules).toBe(true);
    expect(grammarTraits("root ::= <|im_start|> x").tokenRules).toBe(true);
    expect(grammarTraits("root ::= !<[5]>").tokenRules).toBe(true);
    expect(grammarTraits('root ::= "<a>!" [<!\\]] # <[1]>\nx ::= "\\"<"').tokenRules).toBe(false);
  });

  test("negated classes give their non-ASCII exclusions; positive classes give none", () => {
    expect(grammarTraits("root ::= [^é-ö] [à-ÿ] [^\\x00-\\x7F]").excluded).toEqual([0xe9, 0xf6]);
    expect(grammarTraits("root ::= [^a\\u00e9\\U0001F600-\\U0001F64F]").excluded).toEqual([
      0xe9, 0xe9, 0x1f600, 0x1f64f,
    ]);
    // JSON strings exclude only surrogates and values past Unicode outside ASCII.
    expect(grammarTraits(schemaToGbnf({ type: "string" })).excluded).toEqual([
      0xd800, 0xdfff, 0x110000, 0xffffffff,
    ]);
  });
});

describe("prefix groups of real vocabularies", () => {
  let spm: Model;
  let qwen: Model;
  beforeAll(async () => {
    useNativeBackend();
    spm = Model.load(await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }));
    qwen = Model.load(await toolModels.qwen25());
  });
  afterAll(() => {
    spm?.dispose();
    qwen?.dispose();
  });

  for (const name of ["llama-spm", "qwen2"] as const) {
    test(`${name}: every token's text starts with its group's probe, every probe with its parent's`, () => {
      const vocab = (name === "qwen2" ? qwen : spm).vocab;
      const g = prefixGroups(vocab);
      if (!g) throw new Error("no groups");
      expect(prefixGroups(vocab)).toBe(g); // built once per vocabulary
      const probeText = Array.from(g.probe, (t) => vocab.pieceBytes(t, true));
      const startsWith = (a: Uint8Array, b: Uint8Array) =>
        b.length <= a.length && b.every((x, i) => a[i] === x);
      let grouped = 0;
      const bad: number[] = [];
      for (let t = 0; t < vocab.size; t++) {
        const gr = g.groupOf[t] as number;
        if (gr < 0) continue;
        grouped++;
        if (vocab.isEog(t) || !startsWith(vocab.pieceBytes(t, true), probeText[gr] as Uint8Array))
          bad.push(t);
      }
      g.parent.forEach((p, i) => {
        if (p >= 0 && !startsWith(probeText[i] as Uint8Array, probeText[p] as Uint8Array)) bad.push(-i);
      });
      expect(bad).toEqual([]);
      expect(grouped / vocab.size).toBeGreaterThan(0.95);
    });
  }
});
