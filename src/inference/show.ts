/** /api/show: a model's Modelfile, parameters, template, details, GGUF metadata and capabilities. */
import { ggmlTypeName } from "../gguf/types.ts";
import { formatModelfile, formatParameters } from "../modelfile/index.ts";
import type { ModelDetails } from "../store/index.ts";
import type { InferenceDeps } from "./deps.ts";
import { modelInfo } from "./describe.ts";
import { resolveModel } from "./model.ts";
import { templateSource } from "./template.ts";

/** An /api/show request. */
export interface ShowInput {
  model?: string;
  name?: string;
  verbose?: boolean;
  system?: string;
}

/** An /api/show answer. */
export interface ShowResult {
  license?: string;
  modelfile: string;
  parameters?: string;
  template?: string;
  system?: string;
  details: ModelDetails;
  messages?: { role: string; content: string }[];
  model_info: Record<string, unknown>;
  tensors?: { name: string; type: string; shape: number[] }[];
  capabilities: string[];
  modified_at: string;
}

/** Describes a stored model (404 `model 'x' not found`). */
export async function show(deps: InferenceDeps, input: ShowInput): Promise<ShowResult> {
  const m = await resolveModel(deps, input.model || input.name, "single");
  const s = m.stored;
  const system = input.system ?? s.system;
  const out: ShowResult = {
    modelfile: formatModelfile({
      shortName: s.name,
      modelPath: m.path,
      adapterPaths: s.adapterPaths,
      draftPath: s.draftPath,
      projectorPaths: s.projectorPaths,
      template: s.template,
      system,
      renderer: s.config.renderer,
      parser: s.config.parser,
      params: s.params,
      license: s.license,
      messages: s.messages,
    }),
    details: s.details,
    model_info: modelInfo(m.gguf, input.verbose === true),
    capabilities: m.capabilities,
    modified_at: s.modifiedAt.toISOString(),
  };
  if (s.license.length) out.license = s.license.join("\n");
  if (Object.keys(s.params).length) out.parameters = formatParameters(s.params);
  const template = templateSource(m.template);
  if (template) out.template = template;
  if (system) out.system = system;
  if (s.messages.length) out.messages = s.messages;
  if (input.verbose)
    out.tensors = m.gguf.tensors.map((t) => ({ name: t.name, type: ggmlTypeName(t.type), shape: t.shape }));
  return out;
}
