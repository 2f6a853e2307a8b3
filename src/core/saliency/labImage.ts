/** Whole-image sRGB -> CIE Lab, the colour space every SaliencyCut distance is measured in. */
import { srgbToLab } from "../color/lab";
import type { LabImage, RgbImage } from "./types";

/**
 * A 600x450 photo has far fewer distinct colours than pixels, so converting
 * each colour once (keyed by its 24-bit value) is several times cheaper than
 * the per-pixel cube roots and powers.
 */
export function rgbToLab(image: RgbImage): LabImage {
  const { width, height, data } = image;
  const n = width * height;
  const out = new Float32Array(n * 3);
  const seen = new Map<number, number>();
  for (let p = 0; p < n; p++) {
    const r = data[3 * p]!;
    const g = data[3 * p + 1]!;
    const b = data[3 * p + 2]!;
    const key = (r << 16) | (g << 8) | b;
    let at = seen.get(key);
    if (at === undefined) {
      const [L, A, B] = srgbToLab(r / 255, g / 255, b / 255);
      at = 3 * p;
      out[at] = L;
      out[at + 1] = A;
      out[at + 2] = B;
      seen.set(key, at);
      continue;
    }
    out[3 * p] = out[at]!;
    out[3 * p + 1] = out[at + 1]!;
    out[3 * p + 2] = out[at + 2]!;
  }
  return { width, height, data: out };
}
