import { InvalidNameError } from "./errors.ts";

/** A fully qualified model name: every part present, as stored under `manifests/`. */
export interface ModelName {
  readonly host: string;
  readonly namespace: string;
  readonly model: string;
  readonly tag: string;
  /** `https` unless the name carried an explicit `scheme://` prefix. */
  readonly scheme: string;
}

/** Ollama's defaults merged into partial names. */
export const DEFAULT_HOST = "registry.ollama.ai";
/** Namespace used when a name has no `namespace/`. */
export const DEFAULT_NAMESPACE = "library";
/** Tag used when a name has no `:tag`. */
export const DEFAULT_TAG = "latest";

type PartKind = "host" | "namespace" | "model" | "tag";
const PARTS: readonly PartKind[] = ["host", "namespace", "model", "tag"];

/** Splits at the last `sep`, or undefined when absent. Empty sides stay `""` so validation rejects them. */
function cutLast(s: string, sep: string): [before: string, after: string] | undefined {
  const i = s.lastIndexOf(sep);
  return i < 0 ? undefined : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Parses without defaults: absent parts are `undefined`, empty ones (`a//b`, `m:`) are `""`. */
export function parseNameBare(s: string): Partial<Record<PartKind | "scheme", string>> {
  const out: Partial<Record<PartKind | "scheme", string>> = {};
  let rest = s;
  if (rest.lastIndexOf(":") > rest.lastIndexOf("/")) {
    const cut = cutLast(rest, ":") as [string, string];
    [rest, out.tag] = cut;
  }
  const model = cutLast(rest, "/");
  if (!model) return { ...out, model: rest };
  [rest, out.model] = model;
  const ns = cutLast(rest, "/");
  if (!ns) return { ...out, namespace: rest };
  [rest, out.namespace] = ns;
  const schemeAt = rest.indexOf("://");
  if (schemeAt >= 0) {
    out.scheme = rest.slice(0, schemeAt);
    out.host = rest.slice(schemeAt + 3);
  } else {
    out.host = rest;
  }
  return out;
}

const isWordChar = (c: string): boolean => /^[A-Za-z0-9_]$/.test(c);

/**
 * Longest host part. Ollama allows 350, but every part is one directory name under `manifests/` and file
 * names end at 255 bytes (NAME_MAX): a longer host could never be stored (ENAMETOOLONG), so it is invalid.
 */
const HOST_MAX = 255;

/** Why `s` is not a valid `kind` part, or undefined when it is. */
export function partProblem(kind: PartKind, s: string): string | undefined {
  const max = kind === "host" ? HOST_MAX : 80;
  if (s.length < 1) return `${kind} is empty`;
  if (s.length > max) return `${kind} is longer than ${max} characters`;
  if (!isWordChar(s[0] as string)) return `${kind} must start with a letter, digit or underscore`;
  for (const c of s.slice(1)) {
    if (isWordChar(c) || c === "-" || c === "_") continue;
    if (c === "." && kind !== "namespace") continue;
    if (c === ":" && kind === "host") continue;
    return `${kind} contains invalid character ${JSON.stringify(c)}`;
  }
  return undefined;
}

/** Parses `[scheme://][host/][namespace/]model[:tag]` with Ollama's defaults; throws InvalidNameError. */
export function parseName(s: string): ModelName {
  const bare = parseNameBare(s);
  const name: ModelName = {
    host: bare.host ?? DEFAULT_HOST,
    namespace: bare.namespace ?? DEFAULT_NAMESPACE,
    model: bare.model ?? "",
    tag: bare.tag ?? DEFAULT_TAG,
    scheme: bare.scheme || "https",
  };
  for (const kind of PARTS) {
    const problem = partProblem(kind, name[kind]);
    if (problem) throw new InvalidNameError(`invalid model name ${JSON.stringify(s)}: ${problem}`);
  }
  return name;
}

/** True when `s` parses to a valid, fully qualified name. */
export function isValidName(s: string): boolean {
  try {
    parseName(s);
    return true;
  } catch {
    return false;
  }
}

/** `host/namespace/model:tag`, the fully qualified form. */
export function formatName(n: ModelName): string {
  return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
}

/** What `ollama list` shows: default host and namespace dropped, tag always present. */
export function shortName(n: ModelName): string {
  if (n.host.toLowerCase() !== DEFAULT_HOST) return `${n.host}/${n.namespace}/${n.model}:${n.tag}`;
  if (n.namespace.toLowerCase() !== DEFAULT_NAMESPACE) return `${n.namespace}/${n.model}:${n.tag}`;
  return `${n.model}:${n.tag}`;
}

/** The four path segments of the manifest file under `manifests/`. */
export function nameSegments(n: ModelName): [string, string, string, string] {
  return [n.host, n.namespace, n.model, n.tag];
}

/** Builds a name from manifest path segments, or undefined when they do not form a valid name. */
export function nameFromSegments(parts: readonly string[]): ModelName | undefined {
  if (parts.length !== 4) return undefined;
  const [host, namespace, model, tag] = parts as [string, string, string, string];
  const n: ModelName = { host, namespace, model, tag, scheme: "https" };
  return PARTS.every((k) => partProblem(k, n[k]) === undefined) ? n : undefined;
}

/** Case-insensitive equality of all four parts (Ollama's lookups ignore case). */
export function namesEqualFold(a: ModelName, b: ModelName): boolean {
  return PARTS.every((k) => a[k].toLowerCase() === b[k].toLowerCase());
}
