/** Parses `WWW-Authenticate` (RFC 7235) into challenges: scheme plus auth-params. */

/** One challenge: lower-cased scheme and its parameters (names lower-cased, values unquoted). */
export interface Challenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Every challenge in a header value. Several may share one value (`Basic realm="x", Bearer realm="y"`), and
 * Headers joins repeated headers with ", ", so a new challenge starts at a token followed by a space, not `=`.
 */
export function parseChallenges(header: string): Challenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let s = header;
  const skip = (re: RegExp): void => {
    s = s.replace(re, "");
  };
  while (s.length > 0) {
    skip(/^[\s,]+/);
    const scheme = TOKEN.exec(s)?.[0];
    if (!scheme) break;
    s = s.slice(scheme.length);
    const current = { scheme: scheme.toLowerCase(), params: {} as Record<string, string> };
    out.push(current);
    for (;;) {
      skip(/^[\s,]+/);
      const name = TOKEN.exec(s)?.[0];
      if (!name) break;
      const after = s.slice(name.length).replace(/^\s*/, "");
      // A token not followed by "=" is the next challenge's scheme (or a token68, which we do not use).
      if (!after.startsWith("=") || after.startsWith("==")) break;
      s = after.slice(1).replace(/^\s*/, "");
      current.params[name.toLowerCase()] = readValue();
    }
  }
  return out;

  function readValue(): string {
    if (!s.startsWith('"')) {
      const v = TOKEN.exec(s)?.[0] ?? "";
      s = s.slice(v.length);
      return v;
    }
    let v = "";
    let i = 1;
    for (; i < s.length; i++) {
      const c = s[i] as string;
      if (c === "\\" && i + 1 < s.length) v += s[++i];
      else if (c === '"') break;
      else v += c;
    }
    s = s.slice(i + 1);
    return v;
  }
}

/** The challenge the client answers: Bearer first (token service), then Basic. */
export function pickChallenge(header: string): Challenge | undefined {
  const all = parseChallenges(header);
  return all.find((c) => c.scheme === "bearer") ?? all.find((c) => c.scheme === "basic");
}
