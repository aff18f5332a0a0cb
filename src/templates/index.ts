/** Prompt templates: Go text/template (Ollama TEMPLATE), Jinja (GGUF chat_template), history fitting. */
export { TemplateParseError, TemplateRenderError } from "./errors.ts";
export { type FitResult, fitHistory } from "./fit.ts";
export {
  DEFAULT_TEMPLATE,
  type GoTemplate,
  parseTemplate,
  renderTemplate,
  type TemplateValues,
  templateUsesTools,
} from "./go-template.ts";
export { compileJinja, type JinjaTemplate, type JinjaValues, renderJinja, strftime } from "./jinja.ts";
export type { ChatMessage, Tool, ToolCall } from "./messages.ts";
export {
  goThinkValues,
  jinjaThinkVars,
  THINK_LEVELS,
  type Think,
  type ThinkLevel,
  thinkEnabled,
  thinkLevel,
} from "./think.ts";
export { goThinkingTags, jinjaThinkingTags, type ThinkingTags } from "./think-tags.ts";
