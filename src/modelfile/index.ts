/** Modelfile parsing and formatting. */
export { ModelfileError } from "./errors.ts";
export { formatModelfile, formatParameters, modelfileBody, type ModelfileSource, quote } from "./format.ts";
export { type Command, lexModelfile, unquote } from "./lexer.ts";
export { DEPRECATED_PARAMETERS, PARAMETER_TYPES, type ParamType, parseParameter } from "./params.ts";
export { type Modelfile, type ModelfileMessage, parseModelfile } from "./parse.ts";
