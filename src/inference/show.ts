/**
 * /api/show: a model's Modelfile, parameters, template, details, GGUF metadata, tensors and capabilities,
 * with Ollama's ShowResponse fields in its order (api/types.go; server/routes.go GetModelInfo).
 */
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
  /** The client's User-Agent: GitHub Copilot Chat gets the requested name as `general.basename`. */
  userAgent?: string;
}

/** One tensor of the model file. */
export interface ShowTensor {
  name: string;
  type: string;
  shape: number[];
}

/** An /api/show answer (absent fields are Ollama's omitempty ones). */
export interface ShowResult {
  license?: string;
  modelfile: string;
  parameters?: string;
  template?: string;
  system?: string;
  details: ModelDetails;
  messages?: { role: string; content: string }[];
  model_info: Record<string, unknown>;
  projector_info?: Record<string, unknown>;
  tensors?: ShowTensor[];
  capabilities?: string[];
  modified_at: string;
  requires?: string;
}

const COPILOT_CHAT = "GitHubCopilotChat/";

/** Describes a stored model (404 `model 'x:latest' not found`). */
export async function show(deps: InferenceDeps, input: ShowInput): Promise<ShowResult> {
  const asked = input.model || input.name;
  const m = await resolveModel(deps, asked, "show");
  const s = m.stored;
  const system = input.system || s.system;
  const template = templateSource(m.template);
  const verbose = input.verbose === true;
  const projector = s.projectorPaths[0];
  // Ollama lists the tensors whether or not the request is verbose (only long metadata arrays depend on it).
  const tensors = m.gguf.tensors.map((t) => ({ name: t.name, type: ggmlTypeName(t.type), shape: t.shape }));
  const info = modelInfo(m.gguf, verbose);
  if (input.userAgent?.startsWith(COPILOT_CHAT)) info["general.basename"] = asked;
  return {
    ...(s.license.length ? { license: s.license.join("\n") } : {}),
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
    ...(Object.keys(s.params).length ? { parameters: formatParameters(s.params) } : {}),
    ...(template ? { template } : {}),
    ...(system ? { system } : {}),
    details: s.details,
    ...(s.messages.length ? { messages: s.messages } : {}),
    model_info: info,
    ...(projector ? { projector_info: modelInfo(await deps.cache.gguf(projector), verbose) } : {}),
    ...(tensors.length ? { tensors } : {}),
    ...(m.capabilities.length ? { capabilities: m.capabilities } : {}),
    modified_at: s.modifiedAt.toISOString(),
    ...(s.config.requires ? { requires: s.config.requires } : {}),
  };
}
