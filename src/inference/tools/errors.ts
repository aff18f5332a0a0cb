/** Errors in a request's tools or tool_choice: the caller's mistake, each naming what is wrong (400). */
import { TsllmError } from "../../errors.ts";

/** A tool definition that cannot be used: no name, a parameters schema that is not an object, … */
export class InvalidToolError extends TsllmError {
  constructor(tool: string, problem: string) {
    super(`invalid tool ${tool}: ${problem}`, { code: "invalid_tool", status: 400 });
  }
}

/** A tool_choice that cannot be honoured: an unknown function, or a choice without tools. */
export class InvalidToolChoiceError extends TsllmError {
  constructor(message: string) {
    super(message, { code: "invalid_tool_choice", status: 400 });
  }
}
