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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A names field the extension completes itself, knowing the method
 * (src/extension/intellisense/presetCompletion.ts): checked by pattern
 * instead of listed, so VS Code does not offer every name twice.
 */
function namesByPattern(field: JsonSchema | undefined): void {
  if (!field) return;
  // A union of one literal is that literal: a `const`, not an `anyOf`.
  const names = ((field.anyOf ?? [field]) as { const?: unknown }[]).map((v) => v.const).filter((c): c is string => typeof c === "string");
  if (!names.length) return;
  delete field.anyOf;
  delete field.const;
  field.type = "string";
  field.pattern = `^(${names.map(escapeRegExp).join("|")})$`;
  field.patternErrorMessage = `Value must be one of ${names.map((n) => JSON.stringify(n)).join(", ")}.`;
}

export function editorJsonSchema(): JsonSchema {
  // JSON.stringify drops TypeBox's symbol-keyed metadata.
  const schema = relax(JSON.parse(JSON.stringify(ExperimentSchema))) as JsonSchema;
  const props = schema.properties as Record<string, JsonSchema>;
  namesByPattern(props.recipe);
  namesByPattern((props.augment?.properties as Record<string, JsonSchema> | undefined)?.preset);
  return { $schema: "http://json-schema.org/draft-07/schema#", ...schema, allowComments: true, allowTrailingCommas: true };
}
