import { TsllmError } from "../errors.ts";

/** A template that does not parse (a Modelfile TEMPLATE, a GGUF chat template). */
export class TemplateParseError extends TsllmError {
  constructor(message: string) {
    super(`template error: ${message}`, { code: "template_parse", status: 400 });
  }
}

/** A template that parsed but failed while rendering (bad call, raise_exception, type mismatch). */
export class TemplateRenderError extends TsllmError {
  constructor(message: string, cause?: unknown) {
    super(`template: ${message}`, { code: "template_render", status: 400, cause });
  }
}
