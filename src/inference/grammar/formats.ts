/**
 * String formats as grammars. Each grammar is a subset of what the format allows (RFC 3339 dates with the
 * right number of days per month, February to the 28th; dotted-atom e-mail addresses; `scheme://host/path`
 * URIs; …) with every part bounded, so a model always reaches the closing quote and common validators
 * (ajv-formats' full mode among them) accept every string.
 */
import type { GrammarBuilder } from "./builder.ts";

/** A format's grammar (the string's content, quotes excluded) and its length range in characters. */
interface Format {
  body(b: GrammarBuilder): string;
  min: number;
  max: number | undefined;
}

const HEX = "[0-9a-fA-F]";
const D2 = "[0-9] [0-9]";

const date = (b: GrammarBuilder) =>
  b.rule(
    "date",
    '[0-9]{4} "-" (("0" [13578] | "1" [02]) "-" ("0" [1-9] | [12] [0-9] | "3" [01]) | ("0" [469] | "11") "-" ("0" [1-9] | [12] [0-9] | "30") | "02-" ("0" [1-9] | "1" [0-9] | "2" [0-8]))',
  );
const time = (b: GrammarBuilder) =>
  b.rule(
    "time",
    '([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9] ":" [0-5] [0-9] ("." [0-9]{1,6})? ("Z" | [+-] ([01] [0-9] | "2" [0-3]) ":" [0-5] [0-9])',
  );
const label = (b: GrammarBuilder) => b.rule("dns-label", '[a-zA-Z0-9]{1,12} ("-" [a-zA-Z0-9]{1,12})?');
const hostname = (b: GrammarBuilder) => b.rule("hostname", `${label(b)} ("." ${label(b)}){0,2}`);
const n4 = "[0-9]{1,4}";
const durTime = `(${n4} "H" (${n4} "M")? (${n4} "S")? | ${n4} "M" (${n4} "S")? | ${n4} "S")`;
const durDate = `(${n4} "Y" (${n4} "M")? (${n4} "D")? | ${n4} "M" (${n4} "D")? | ${n4} "D")`;
const octet = `("25" [0-5] | "2" [0-4] [0-9] | "1" ${D2} | [1-9] [0-9] | [0-9])`;
const uriChar = "[a-zA-Z0-9._~!$&'()*+,;=:@-]";

/** Formats that constrain strings, by name. */
const FORMATS: Readonly<Record<string, Format>> = {
  date: { body: date, min: 10, max: 10 },
  time: { body: time, min: 9, max: 21 },
  "date-time": { body: (b) => b.rule("date-time", `${date(b)} "T" ${time(b)}`), min: 20, max: 32 },
  duration: {
    body: () => `"P" (${durDate} ("T" ${durTime})? | "T" ${durTime} | ${n4} "W")`,
    min: 3,
    max: 32,
  },
  uuid: {
    body: () => `${HEX}{8} "-" ${HEX}{4} "-" ${HEX}{4} "-" ${HEX}{4} "-" ${HEX}{12}`,
    min: 36,
    max: 36,
  },
  email: {
    body: (b) =>
      b.rule(
        "email",
        `[a-zA-Z0-9_+-]{1,16} ("." [a-zA-Z0-9_+-]{1,16})? "@" (${label(b)} "."){1,2} [a-zA-Z]{2,8}`,
      ),
    min: 6,
    max: 94,
  },
  hostname: { body: hostname, min: 1, max: 77 },
  ipv4: { body: () => `${octet} "." ${octet} "." ${octet} "." ${octet}`, min: 7, max: 15 },
  ipv6: { body: () => `${HEX}{1,4} (":" ${HEX}{1,4}){7}`, min: 15, max: 39 },
  uri: { body: (b) => uri(b), min: 5, max: undefined },
  "uri-reference": { body: (b) => uri(b), min: 5, max: undefined },
  byte: {
    body: () => '([A-Za-z0-9+/]{4})* ([A-Za-z0-9+/]{2} "==" | [A-Za-z0-9+/]{3} "=")?',
    min: 0,
    max: undefined,
  },
};

function uri(b: GrammarBuilder): string {
  return b.rule(
    "uri",
    `[a-zA-Z] [a-zA-Z0-9+.-]{0,7} "://" ${hostname(b)} (":" [0-9]{1,5})? ("/" ${uriChar}{0,16}){0,4} ("?" [a-zA-Z0-9._~!$&'()*+,;=:@/?-]{0,32})?`,
  );
}

/** Formats that are hints only (OpenAPI's): any string conforms. */
const UNCHECKED = new Set(["password", "binary"]);

/** Whether `name` is a string format this converter knows (enforced or unchecked). */
export function isKnownStringFormat(name: string): boolean {
  return name in FORMATS || UNCHECKED.has(name);
}

/** Whether `name` is a format that puts no constraint on the string. */
export function isUncheckedFormat(name: string): boolean {
  return UNCHECKED.has(name);
}

/** The grammar and length range of an enforced string format; undefined when the name is not one. */
export function stringFormat(name: string): Format | undefined {
  return FORMATS[name];
}
