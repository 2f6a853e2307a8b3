/**
 * What the experiment schema says about one field of a file: its description,
 * default and bounds, straight from the TypeBox schema (the one source the
 * JSON Schema and validation come from), plus the papers' values
 * (paperValues.ts). The editor's hover shows it.
 */
import { Kind, type TSchema } from "@sinclair/typebox";
import { variantFor } from "./defaults";
import { paperValues, type PaperValue } from "./paperValues";
import { ExperimentSchema } from "./schema";

export type JsonPath = (string | number)[];

export interface FieldInfo {
  /** Dotted path with array positions left out ("augment.views.ops.p"), as PAPER_VALUES keys it. */
  key: string;
  schema: TSchema;
  description?: string;
  default?: unknown;
  /** "number in (0, 1]", "integer ≥ 1", "one of …": what values the schema accepts, in words. */
  accepts?: string;
  paper: PaperValue[];
}

type Json = Record<string, unknown>;

function valueAt(raw: unknown, path: JsonPath): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Json)[seg as string];
  }
  return v;
}

/**
 * The variant of a union that the value (or the next path segment) points at:
 * the one its discriminator names (dataset `format`, augmentation `op`), else
 * the first object variant that has the field.
 */
function narrow(schema: TSchema, value: unknown, next: string | number | undefined): TSchema {
  if (schema[Kind] !== "Union") return schema;
  const named = variantFor(schema, value);
  if (named) return named;
  const variants = (schema.anyOf ?? []) as TSchema[];
  return variants.find((v) => typeof next === "string" && v[Kind] === "Object" && next in (v.properties as Json)) ?? schema;
}

/** The schema of the field at `path` of the file's parsed value `raw`; undefined where the schema has no such field. */
export function fieldSchema(path: JsonPath, raw: unknown): TSchema | undefined {
  let schema: TSchema = ExperimentSchema;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    schema = narrow(schema, valueAt(raw, path.slice(0, i)), seg);
    if (schema[Kind] === "Object" && typeof seg === "string") schema = (schema.properties as Record<string, TSchema>)[seg]!;
    else if (schema[Kind] === "Array" && typeof seg === "number") schema = schema.items as TSchema;
    else if (schema[Kind] === "Tuple" && typeof seg === "number") schema = (schema.items as TSchema[] | undefined)?.[seg]!;
    else return undefined;
    if (!schema) return undefined;
  }
  return narrow(schema, valueAt(raw, path), undefined);
}

function accepts(schema: TSchema): string | undefined {
  if (schema[Kind] === "Union") {
    const literals = ((schema.anyOf ?? []) as TSchema[]).map((s) => s.const).filter((c) => c !== undefined);
    // A long list (the methods) is the description's to explain, one by one.
    if (literals.length > 6) return `one of ${literals.length} names`;
    return literals.length ? `one of ${literals.map((l) => JSON.stringify(l)).join(", ")}` : undefined;
  }
  if (schema[Kind] === "Literal") return JSON.stringify(schema.const);
  if (schema[Kind] !== "Number" && schema[Kind] !== "Integer") return schema[Kind] === "Boolean" ? "true or false" : undefined;
  const kind = schema[Kind] === "Integer" ? "integer" : "number";
  const lo = schema.exclusiveMinimum ?? schema.minimum;
  const hi = schema.exclusiveMaximum ?? schema.maximum;
  if (lo !== undefined && hi !== undefined) {
    return `${kind} in ${schema.exclusiveMinimum !== undefined ? "(" : "["}${lo}, ${hi}${schema.exclusiveMaximum !== undefined ? ")" : "]"}`;
  }
  if (lo !== undefined) return `${kind} ${schema.exclusiveMinimum !== undefined ? ">" : "≥"} ${lo}`;
  if (hi !== undefined) return `${kind} ${schema.exclusiveMaximum !== undefined ? "<" : "≤"} ${hi}`;
  return kind;
}

/** Everything the hover shows about the field at `path`, or undefined for a path the schema does not know. */
export function fieldInfo(path: JsonPath, raw: unknown): FieldInfo | undefined {
  if (path.length === 0) return undefined;
  const schema = fieldSchema(path, raw);
  if (!schema) return undefined;
  const key = path.filter((s) => typeof s === "string").join(".");
  const method = valueAt(raw, ["method"]);
  return {
    key,
    schema,
    description: schema.description as string | undefined,
    default: schema.default,
    accepts: accepts(schema),
    paper: paperValues(key, typeof method === "string" ? method : "simclr"),
  };
}
