/** What the per-type grammar modules need from the schema converter. */
import type { GrammarBuilder } from "./builder.ts";
import type { Schema } from "./keywords.ts";

/** The converter of one schema document, as the per-type modules see it. */
export interface Converter {
  /** The grammar the rules go into. */
  readonly b: GrammarBuilder;
  /** A rule name (or primitive name) matching `s`; `path` is its JSON pointer, `hint` the rule name to use. */
  visit(s: Schema, path: string, hint: string): string;
  /** The schema a `$ref` value points at in this document. */
  resolve(ref: unknown, path: string): Schema;
}

/** The separator between a key and its value: a colon and at most one space. */
export const COLON = '":" " "?';
