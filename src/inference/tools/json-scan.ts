/** Finding where a JSON object or array ends in streamed text, without parsing it. */

/**
 * The index just past the object or array that starts at `text[start]` (`{` or `[`), or -1 when the text
 * ends before it closes. Strings and escapes are honoured; whether the inside is valid JSON is for
 * JSON.parse to say.
 */
export function jsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) return i + 1;
  }
  return -1;
}

/** The index just past the `)` closing the `(` at `text[start]`, or -1 when not closed yet. */
export function parenEnd(text: string, start: number): number {
  let depth = 0;
  let quote = "";
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i + 1;
  }
  return -1;
}
