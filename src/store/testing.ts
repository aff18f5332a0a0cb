/** Test support for the store's own tests: a logger that keeps its lines and a fixed model description. */
import type { Logger } from "../log.ts";
import type { DescribeModel } from "./create.ts";

/** A logger whose lines (`level msg {fields}`) are kept in `lines` instead of written. */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
    };
  const logger = { info: at("info"), warn: at("warn"), error: at("error"), debug: at("debug") };
  return { logger: { ...logger, child: () => logger } as unknown as Logger, lines };
}

/** A DescribeModel that answers a 1B F32 llama without reading the file. */
export const describeModel: DescribeModel = async () => ({
  family: "llama",
  families: ["llama"],
  parameter_size: "1B",
  quantization_level: "F32",
});
