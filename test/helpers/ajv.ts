/** Test helper: an ajv validator (with ajv-formats) for a JSON schema, in the dialect the schema is written for. */
import Ajv, { type ValidateFunction } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";

/** A compiled validator; draft "07" for `items: [...]` tuples and `definitions`, else 2020-12. */
export function validatorFor(
  schema: Record<string, unknown>,
  draft: "07" | "2020" = "2020",
): ValidateFunction {
  const ajv = draft === "07" ? new Ajv({ strict: false }) : new Ajv2020({ strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}
