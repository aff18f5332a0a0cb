import { TsllmError } from "../../../errors.ts";

/** Generation kept producing the same token: the model is stuck in a loop. */
export class TokenRepeatLimitError extends TsllmError {
  constructor(token: number, times: number) {
    super(`generation stopped: token ${token} repeated ${times} times in a row`, {
      code: "token_repeat_limit",
      status: 500,
    });
  }
}

/** The engine is shutting down; pending requests end with this. */
export class EngineClosedError extends TsllmError {
  constructor() {
    super("the model runner is shutting down", { code: "engine_closed", status: 503 });
  }
}
