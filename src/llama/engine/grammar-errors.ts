import { TsllmError } from "../../errors.ts";

/** libllama rejected a GBNF grammar (it logs the parse error). */
export class InvalidGrammarError extends TsllmError {
  constructor(detail = "failed to parse grammar") {
    super(`invalid grammar: ${detail}`, { code: "invalid_grammar", status: 400 });
  }
}
