/** `$ref` resolution inside one schema document: JSON pointers (`#/$defs/x`, `#/properties/a/anyOf/0`, `#`). */
import { InvalidSchemaError, UnsupportedSchemaError } from "../errors.ts";
import type { Schema } from "./keywords.ts";

/** The schema `ref` points at in `root`. Remote refs and anchors are 400s. */
export function resolveRef(root: Schema, ref: unknown, path: string): { target: Schema; pointer: string } {
  if (typeof ref !== "string") throw new InvalidSchemaError(path, "$ref must be a string");
  if (!ref.startsWith("#"))
    throw new UnsupportedSchemaError(
      path,
      "$ref",
      `${JSON.stringify(ref)}: only references into the same document ("#/…") are supported`,
    );
  const fragment = decodeURIComponent(ref.slice(1));
  if (fragment !== "" && !fragment.startsWith("/"))
    throw new UnsupportedSchemaError(
      path,
      "$ref",
      `${JSON.stringify(ref)}: anchors are not supported, use a JSON pointer`,
    );
  let node: unknown = root;
  for (const raw of fragment === "" ? [] : fragment.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^\d+$/.test(key) && Number(key) < node.length) node = node[Number(key)];
    else if (typeof node === "object" && node !== null && !Array.isArray(node) && Object.hasOwn(node, key))
      node = (node as Record<string, unknown>)[key];
    else throw new InvalidSchemaError(path, `cannot resolve $ref ${JSON.stringify(ref)}`);
  }
  if (typeof node !== "boolean" && (typeof node !== "object" || node === null || Array.isArray(node)))
    throw new InvalidSchemaError(path, `$ref ${JSON.stringify(ref)} does not point at a schema`);
  return { target: node as Schema, pointer: `#${fragment}` };
}
