import { type Static, Type as t } from "@sinclair/typebox";

/** One blob reference in a manifest (config or layer). */
export const Layer = t.Object({
  mediaType: t.String(),
  digest: t.String(),
  size: t.Number(),
  from: t.Optional(t.String()),
  name: t.Optional(t.String()),
});
/** One blob reference in a manifest (config or layer). */
export type Layer = Static<typeof Layer>;

/** Docker v2 manifest as stored under `manifests/<host>/<ns>/<model>/<tag>`. */
export const Manifest = t.Object({
  schemaVersion: t.Number(),
  mediaType: t.Optional(t.String()),
  config: Layer,
  layers: t.Array(Layer),
});
/** Docker v2 manifest as stored under `manifests/<host>/<ns>/<model>/<tag>`. */
export type Manifest = Static<typeof Manifest>;

/** The config blob (`ConfigV2`): what `details` in /api/tags and /api/show come from. */
export const ModelConfig = t.Object(
  {
    model_format: t.String(),
    model_family: t.String(),
    model_families: t.Union([t.Array(t.String()), t.Null()]),
    model_type: t.String(),
    file_type: t.String(),
    renderer: t.Optional(t.String()),
    parser: t.Optional(t.String()),
    requires: t.Optional(t.String()),
    capabilities: t.Optional(t.Array(t.String())),
    context_length: t.Optional(t.Number()),
    embedding_length: t.Optional(t.Number()),
    base_name: t.Optional(t.String()),
    architecture: t.String(),
    os: t.String(),
  },
  { additionalProperties: true },
);
/** The config blob (`ConfigV2`): what `details` in /api/tags and /api/show come from. */
export type ModelConfig = Static<typeof ModelConfig>;

/** A Modelfile MESSAGE as stored in the messages layer. */
export const StoredMessage = t.Object(
  { role: t.String(), content: t.String() },
  { additionalProperties: true },
);
/** A Modelfile MESSAGE as stored in the messages layer. */
export type StoredMessage = Static<typeof StoredMessage>;

/** Fills a decoded config blob the way Go's zero values would. */
export function normalizeConfig(raw: Record<string, unknown>): ModelConfig {
  const str = (k: string): string => (typeof raw[k] === "string" ? (raw[k] as string) : "");
  const families = Array.isArray(raw.model_families) ? (raw.model_families as string[]) : null;
  return {
    ...raw,
    model_format: str("model_format"),
    model_family: str("model_family"),
    model_families: families,
    model_type: str("model_type"),
    file_type: str("file_type"),
    architecture: str("architecture"),
    os: str("os"),
  };
}

/** Serialises a config in Go's ConfigV2 field order, dropping empty optional fields, with a trailing newline. */
export function encodeConfig(c: ModelConfig): string {
  const out: Record<string, unknown> = {
    model_format: c.model_format,
    model_family: c.model_family,
    model_families: c.model_families,
    model_type: c.model_type,
    file_type: c.file_type,
  };
  for (const k of ["renderer", "parser", "requires"] as const) if (c[k]) out[k] = c[k];
  if (c.capabilities?.length) out.capabilities = c.capabilities;
  if (c.context_length) out.context_length = c.context_length;
  if (c.embedding_length) out.embedding_length = c.embedding_length;
  if (c.base_name) out.base_name = c.base_name;
  out.architecture = c.architecture;
  out.os = c.os;
  return `${JSON.stringify(out)}\n`;
}
