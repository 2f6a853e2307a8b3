/**
 * Fills schema defaults into a parsed config. TypeBox's Value.Default tries
 * every variant of a union and merges their defaults into the value, which
 * would leak one variant's fields into another; here a union whose variants
 * are told apart by a literal field (`format`, `op`) uses only the variant the
 * value names.
 */
import { Kind, type TSchema } from "@sinclair/typebox";

type Json = Record<string, unknown>;

/** The literal field that tells a union's object variants apart, if there is one. */
export function discriminatorOf(union: TSchema): string | undefined {
  const variants = (union.anyOf ?? []) as TSchema[];
  if (!variants.length || variants.some((v) => v[Kind] !== "Object")) return undefined;
  const keys = Object.keys((variants[0]!.properties ?? {}) as Json);
  return keys.find((k) => variants.every((v) => (v.properties as Record<string, TSchema>)[k]?.const !== undefined));
}

/** The variant of a discriminated union that `value` names, or undefined. */
export function variantFor(union: TSchema, value: unknown): TSchema | undefined {
  const key = discriminatorOf(union);
  if (!key || value === null || typeof value !== "object") return undefined;
  const tag = (value as Json)[key];
  return (union.anyOf as TSchema[]).find((v) => (v.properties as Record<string, TSchema>)[key]!.const === tag);
}

/** A copy of `value` with every missing field that has a default filled in (recursively). */
export function fillDefaults(schema: TSchema, value: unknown): unknown {
  if (value === undefined && schema.default !== undefined) value = structuredClone(schema.default);
  if (value === undefined || value === null) return value;
  switch (schema[Kind]) {
    case "Object": {
      if (typeof value !== "object" || Array.isArray(value)) return value;
      const out: Json = { ...(value as Json) };
      for (const [key, prop] of Object.entries(schema.properties as Record<string, TSchema>)) {
        const filled = fillDefaults(prop, out[key]);
        if (filled !== undefined) out[key] = filled;
      }
      return out;
    }
    case "Array":
      return Array.isArray(value) ? value.map((item) => fillDefaults(schema.items as TSchema, item)) : value;
    case "Union": {
      const variant = variantFor(schema, value);
      return variant ? fillDefaults(variant, value) : value;
    }
    default:
      return value;
  }
}
