/**
 * Colour by config field: the fields of the runs' recorded configs
 * (config.json), and the colour each run gets from its value — a position on
 * a gradient for numbers, a category for anything else.
 */
import type { ColorLegend, RunColor } from "../../protocol/lossCurves";

export type Leaf = string | number | boolean | null;

/** "train.lr" → 0.3, for every leaf of a config (arrays by index: "augment.ops.0.op"). */
export function flattenConfig(value: unknown, prefix = "", out: Map<string, Leaf> = new Map()): Map<string, Leaf> {
  if (value === null || typeof value !== "object") {
    if (prefix) out.set(prefix, value as Leaf);
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

const same = (a: Leaf | undefined, b: Leaf | undefined) => a === b;

/** Fields worth colouring by: those whose value differs between the runs first, then the rest. */
export function colorFields(configs: readonly Map<string, Leaf>[]): string[] {
  const all = new Set<string>();
  for (const c of configs) for (const k of c.keys()) all.add(k);
  const varies = (f: string) => configs.some((c) => !same(c.get(f), configs[0]!.get(f)));
  const fields = [...all].sort();
  return [...fields.filter(varies), ...fields.filter((f) => !varies(f))];
}

/** Each run's colour by `field` (in the order of `configs`), and the legend. */
export function colorBy(field: string, configs: readonly Map<string, Leaf>[]): { colors: RunColor[]; legend: ColorLegend } {
  const values = configs.map((c) => c.get(field));
  if (values.every((v) => typeof v === "number")) {
    const nums = values as number[];
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    return { colors: nums.map((v) => ({ t: max > min ? (v - min) / (max - min) : 0.5 })), legend: { field, range: [min, max] } };
  }
  const label = (v: Leaf | undefined) => (v === undefined ? "(not set)" : String(v));
  const categories = [...new Set(values.map(label))].sort();
  return { colors: values.map((v) => ({ category: categories.indexOf(label(v)) })), legend: { field, categories } };
}
