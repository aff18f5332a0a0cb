/**
 * The `draft_model` option: a stored model, named like any other, used as the draft model of the request's
 * model (instead of, or without, a Modelfile DRAFT). Its vocabulary is checked against the model's from the
 * GGUF headers, so a mismatch is a 400 before anything loads.
 */
import { checkDraftVocabulary } from "./create-draft.ts";
import type { InferenceDeps } from "./deps.ts";
import { type ResolvedModel, resolveModel } from "./model.ts";

/** The GGUF path of the draft for `m`: the `draft_model` option's model, else the model's DRAFT layer. */
export async function draftPath(
  deps: InferenceDeps,
  m: ResolvedModel,
  option: string | undefined,
): Promise<string | undefined> {
  if (!option) return m.stored.draftPath;
  const d = await resolveModel(deps, option, "generate");
  checkDraftVocabulary(m.gguf, d.gguf);
  return d.path;
}
