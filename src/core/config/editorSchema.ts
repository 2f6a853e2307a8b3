/**
 * The JSON Schema VS Code uses for *.ssl.json (completion, hover, validation).
 * Fields with a default are optional to the user, so `required` keeps only
 * the fields that have none.
 */
import { ExperimentSchema } from "./schema";

type JsonSchema = { [key: string]: unknown };

function relax(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relax);
  if (node === null || typeof node !== "object") return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) out[k] = relax(v);
  const props = out.properties as Record<string, JsonSchema> | undefined;
  if (Array.isArray(out.required) && props) {
    out.required = (out.required as string[]).filter((name) => props[name]?.default === undefined);
    if ((out.required as string[]).length === 0) delete out.required;
  }
  return out;
}

export function editorJsonSchema(): JsonSchema {
  // JSON.stringify drops TypeBox's symbol-keyed metadata.
  const schema = relax(JSON.parse(JSON.stringify(ExperimentSchema))) as JsonSchema;
  return { $schema: "http://json-schema.org/draft-07/schema#", ...schema, allowComments: true, allowTrailingCommas: true };
}
