/**
 * Which controls each op gets in the panel: a toggle and a p slider for ops
 * with a probability, a magnitude slider (0-30) for the ops that have one, and
 * sliders for a few single-number parameters. Pure data (no DOM); a unit test
 * holds it against the schema.
 */
import type { OpSpec } from "../../src/core/config/augmentSchema";

export interface SliderSpec {
  field: string;
  label: string;
  min: number;
  max: number;
  step: number;
  /** The field may be unset (then the op uses its explicit range): the slider offers "clear". */
  optional?: boolean;
}

/** Ops whose schema has a `magnitude` (RandAugment's 0-30 scale). */
export const MAGNITUDE_OPS = new Set<string>([
  "rotate",
  "shearX",
  "shearY",
  "translateX",
  "translateY",
  "brightness",
  "contrast",
  "saturation",
  "sharpness",
  "solarize",
  "posterize",
  "cutout",
  "randAugment",
]);

/** Ops without a probability. */
export const NO_P_OPS = new Set<string>(["randomResizedCrop", "normalize"]);

/** Single-number parameters worth a slider, per op. */
const PARAMS: Record<string, SliderSpec[]> = {
  colorJitter: [
    { field: "brightness", label: "brightness", min: 0, max: 1, step: 0.05 },
    { field: "contrast", label: "contrast", min: 0, max: 1, step: 0.05 },
    { field: "saturation", label: "saturation", min: 0, max: 1, step: 0.05 },
    { field: "hue", label: "hue", min: 0, max: 0.5, step: 0.01 },
  ],
  randAugment: [{ field: "n", label: "N", min: 1, max: 10, step: 1 }],
  cutout: [{ field: "value", label: "fill", min: 0, max: 1, step: 0.05 }],
};

export function slidersFor(op: OpSpec["op"]): SliderSpec[] {
  const out: SliderSpec[] = [];
  if (!NO_P_OPS.has(op)) out.push({ field: "p", label: "p", min: 0, max: 1, step: 0.05 });
  if (MAGNITUDE_OPS.has(op)) out.push({ field: "magnitude", label: "magnitude", min: 0, max: 30, step: 1, optional: op !== "randAugment" });
  out.push(...(PARAMS[op] ?? []));
  return out;
}

/** Range parameters ([min, max]) shown as text next to the op. */
export function rangeText(op: Record<string, unknown>): string {
  return Object.entries(op)
    .filter(([k, v]) => k !== "op" && Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number"))
    .map(([k, v]) => `${k} [${(v as number[]).map((x) => +x.toFixed(3)).join(", ")}]`)
    .join(" · ");
}

/** Width and height of a PNG from its base64 (the IHDR chunk), without decoding it. */
export function pngSize(base64: string): { width: number; height: number } {
  // Bytes 16..23 are IHDR's width and height; 32 base64 chars cover bytes 0..23.
  const bin = atob(base64.slice(0, 32));
  const u32 = (o: number) => ((bin.charCodeAt(o) << 24) | (bin.charCodeAt(o + 1) << 16) | (bin.charCodeAt(o + 2) << 8) | bin.charCodeAt(o + 3)) >>> 0;
  return { width: u32(16), height: u32(20) };
}

/** Cells at least this big, as the CLI's grid (src/core/augment/previewGrid.ts). */
export const MIN_CELL = 96;

/** The integer upscale that makes the largest tile at least MIN_CELL px: the CLI grid's scale. */
export function upscale(largestSide: number): number {
  return Math.max(1, Math.ceil(MIN_CELL / Math.max(1, largestSide)));
}
