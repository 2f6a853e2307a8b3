/**
 * What the hover over a view says: each op that fired with the parameters it
 * drew, e.g. "rotate 12.3°", "solarize ≥ 0.50". Pure (no DOM): unit-tested.
 */
import type { OpDraw } from "../../src/core/augment/sample";

const f = (x: number, digits = 2) => x.toFixed(digits);
const signed = (x: number, digits = 2) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

/** One op's draw as a short phrase. */
export function describeDraw(d: OpDraw): string {
  switch (d.op) {
    case "randomResizedCrop":
      return `crop ${d.width}×${d.height} at (${d.left}, ${d.top})${d.fallback ? " (centre fallback)" : ""}`;
    case "rotate":
      return `rotate ${f(d.degrees, 1)}°`;
    case "shearX":
    case "shearY":
      return `${d.op} ${signed(d.shear)}`;
    case "translateX":
    case "translateY":
      return `${d.op} ${d.pixels >= 0 ? "+" : "−"}${Math.abs(d.pixels)} px`;
    case "colorJitter":
      return `colorJitter ${d.order
        .map((o) => (o === "hue" ? `hue ${signed(d.hue)}` : `${o} ×${f(d[o])}`))
        .join(", ")}`;
    case "brightness":
    case "contrast":
    case "saturation":
    case "sharpness":
      return `${d.op} ×${f(d.factor)}`;
    case "gaussianBlur":
      return `gaussianBlur σ ${f(d.sigma)}`;
    case "solarize":
      return `solarize ≥ ${f(d.threshold)}`;
    case "posterize":
      return `posterize ${d.bits} bit${d.bits === 1 ? "" : "s"}`;
    case "cutout":
      return `cutout ${d.width}×${d.height} at (${d.left}, ${d.top}) = ${f(d.value)}`;
    case "randAugment":
      return `randAugment M ${f(d.magnitude, 1)}: ${d.ops.length ? d.ops.map(describeDraw).join(", ") : "nothing"}`;
    default:
      return d.op;
  }
}

/** A view's trace, one line per op that fired. */
export function describeTrace(trace: readonly OpDraw[]): string[] {
  return trace.length ? trace.map(describeDraw) : ["no op fired"];
}
