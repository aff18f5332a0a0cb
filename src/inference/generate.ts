/** /api/generate: one prompt (templated unless raw), streamed back with Ollama's final metrics and context. */
import { InvalidInputError } from "../errors.ts";
import type { CompletionRequest } from "../runner/protocol.ts";
import type { ChatMessage } from "../templates/index.ts";
import { parseTemplate } from "../templates/index.ts";
import { type CompletionResult, streamCompletion } from "./completion.ts";
import type { InferenceDeps } from "./deps.ts";
import { checkImages, requireVision } from "./images.ts";
import { requireCapability, resolveModel } from "./model.ts";
import { type CommonInput, lifecycle, parseThink, prepare, runnerRequest } from "./request.ts";
import { schedule } from "./schedule.ts";
import { checkTokenIds, vocabSize } from "./token-ids.ts";
import { untruncatedPrompt } from "./truncate.ts";
import { thinkingParser } from "./output/thinking.ts";
import { type PromptTemplate, renderInsert, renderMessages, thinkingTags } from "./template.ts";
import { prepareImages } from "./vision.ts";
import { countMarkers, markText } from "./vision-prompt.ts";
import { checkImagePrompt, imageTimingsLogger, modelImageCost, textTokensAround } from "./vision-request.ts";

/** A generate request as the service takes it. */
export interface GenerateInput extends CommonInput {
  prompt?: string;
  suffix?: string;
  system?: string;
  template?: string;
  context?: number[];
  raw?: boolean;
  images?: string[];
  truncate?: boolean;
}

/** Runs a generate request; errors before the first token throw, so the API can answer with a status. */
export async function generate(
  deps: InferenceDeps,
  input: GenerateInput,
  signal?: AbortSignal,
): Promise<CompletionResult> {
  const startedAt = performance.now();
  checkImages(input.images);
  // A malformed `think` fails while decoding in Ollama, before the model is looked up.
  parseThink(input.think);
  const m = await resolveModel(deps, input.model, "generate");
  if (input.raw && (input.template || input.system || input.context))
    throw new InvalidInputError("raw mode does not support template, system, or context");
  const p = prepare(deps, m, input, "generate");
  if (input.context) checkTokenIds(input.context, vocabSize(m.gguf));
  requireVision(m, input.images?.length ?? 0);
  if (input.suffix) requireCapability(m, "insert");
  const tpl: PromptTemplate = input.template ? { kind: "go", go: parseTemplate(input.template) } : m.template;
  if (!input.prompt && !input.suffix) return lifecycle(deps, m, p, signal);
  // Images are checked and converted before a runner is scheduled: a bad one costs no load.
  const images = input.images?.length ? await prepareImages(deps, input.images, (i) => `images[${i}]`) : [];
  const cost = images.length ? await modelImageCost(deps, m) : undefined;

  const { lease, loadNs } = await schedule(deps, m, p.options.load, {
    embedding: false,
    keepAliveMs: p.keepAliveMs,
    signal,
  });
  try {
    const asked = input.prompt ?? "";
    // A raw prompt may place the image markers itself; otherwise they go where Ollama puts its image tags.
    const placed = input.raw && images.length > 0 && countMarkers(asked) === images.length;
    const prompt = images.length && !placed ? markText(asked, images.length) : asked;
    let text: string;
    if (input.raw) text = prompt;
    else if (input.suffix) text = renderInsert(tpl, prompt, input.suffix, p.think);
    else {
      const messages: ChatMessage[] = [];
      const system = input.system ?? m.stored.system;
      if (system) messages.push({ role: "system", content: system });
      if (!input.context) messages.push(...m.stored.messages);
      messages.push({ role: "user", content: prompt, ...(images.length ? { images: input.images } : {}) });
      text = renderMessages(tpl, messages, undefined, p.think);
    }
    if (input.context?.length) text = (await lease.runner.detokenize(input.context)) + text;
    deps.logger.debug("generate prompt", { model: m.name, prompt: text });
    if (cost) {
      const tokenize = (t: string, addSpecial: boolean) =>
        lease.runner.tokenize(t, { addSpecial, parseSpecial: true });
      const tokens = await textTokensAround(tokenize, text);
      checkImagePrompt(text, images, cost, tokens, lease.options.num_ctx);
    }
    // The runner tokenizes (one round trip, not two) and echoes the ids for the response's `context`;
    // with images it tokenizes around them, and a context of text ids alone could not replay them.
    const request: CompletionRequest = images.length
      ? { ...runnerRequest(text, p, input), images }
      : {
          ...runnerRequest(input.truncate === false ? await untruncatedPrompt(lease, text) : text, p, input),
          ...(input.raw ? {} : { return_prompt_tokens: true }),
        };
    return {
      kind: "stream",
      model: m.name,
      events: streamCompletion({
        lease,
        request,
        signal,
        startedAt,
        loadNs,
        returnContext: !input.raw && images.length === 0,
        ...(images.length ? { onTimings: imageTimingsLogger(deps, m.name) } : {}),
        // As Ollama, raw prompts too: output that opens with the thinking tag is split.
        parser: thinkingParser(thinkingTags(tpl), p.think, text, !!p.grammar),
      }),
    };
  } catch (e) {
    lease.release();
    throw e;
  }
}
