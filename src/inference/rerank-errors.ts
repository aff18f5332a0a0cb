/** Errors of a rerank request; every one is the caller's (400) unless noted. */
import { TsllmError } from "../errors.ts";

/** The documents list is missing or empty (llama-server: `"documents" must be a non-empty string array`). */
export class NoDocumentsError extends TsllmError {
  constructor() {
    super('"documents" must be a non-empty array', { code: "invalid_input", status: 400 });
  }
}

/** More documents than the server's limit, named so the operator knows which setting to raise. */
export class TooManyDocumentsError extends TsllmError {
  constructor(count: number, limit: number, setting: string) {
    super(`too many documents: ${count}, the limit is ${limit} (${setting})`, {
      code: "invalid_input",
      status: 400,
    });
  }
}

/** The reranker produced NaN or an infinity for a document (500: the model's fault, not the caller's). */
export class BadScoreError extends TsllmError {
  constructor(index: number) {
    super(`the model produced a non-finite score for document ${index}`, { code: "bad_score", status: 500 });
  }
}
