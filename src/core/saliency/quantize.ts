/**
 * Colour quantisation of Cheng et al.'s histogram contrast: 12 levels per
 * channel (1,728 bins), then only the most frequent bins covering 95% of the
 * pixels are kept and each rarer bin joins its nearest kept bin. Contrast is
 * then computed between at most a few hundred colours instead of millions of
 * pixel pairs. A bin's colour is the mean Lab of its pixels.
 */
import { srgbToLab } from "../color/lab";
import type { RgbImage } from "./types";

const LEVELS = 12;
const COVERAGE = 0.95;
/** The authors' bounds: never more than 256 colours, never fewer than 10 when the image has them. */
const MAX_COLORS = 256;
const MIN_COLORS = 10;

export interface QuantizedImage {
  /** Colour index per pixel, 0..count-1, most frequent colour first. */
  index: Int32Array;
  count: number;
  /** Mean Lab colour of each index, count*3. */
  lab: Float32Array;
  /** Pixels per colour. */
  pixels: Float64Array;
}

const level = (v: number) => Math.min(LEVELS - 1, Math.floor((v * LEVELS) / 256));

export function quantize(image: RgbImage): QuantizedImage {
  const { width, height, data } = image;
  const n = width * height;
  const bin = new Int32Array(n);
  const freq = new Int32Array(LEVELS ** 3);
  for (let p = 0; p < n; p++) {
    const b = (level(data[3 * p]!) * LEVELS + level(data[3 * p + 1]!)) * LEVELS + level(data[3 * p + 2]!);
    bin[p] = b;
    freq[b]!++;
  }
  const used = [...freq.keys()].filter((b) => freq[b]! > 0).sort((a, b) => freq[b]! - freq[a]! || a - b);

  // Drop the rarest bins while what they hold stays within the uncovered 5%.
  let keep = used.length;
  let dropped = 0;
  const maxDrop = Math.round(n * (1 - COVERAGE));
  while (keep > 1 && dropped + freq[used[keep - 1]!]! < maxDrop) dropped += freq[used[--keep]!]!;
  keep = Math.min(keep, MAX_COLORS);
  if (keep <= MIN_COLORS) keep = Math.min(MIN_COLORS, used.length);

  const target = new Int32Array(LEVELS ** 3);
  used.forEach((b, i) => (target[b] = i < keep ? i : nearestKept(b, used, keep)));

  const index = new Int32Array(n);
  const sum = new Float64Array(keep * 3);
  const pixels = new Float64Array(keep);
  for (let p = 0; p < n; p++) {
    const c = target[bin[p]!]!;
    index[p] = c;
    sum[3 * c] += data[3 * p]!;
    sum[3 * c + 1] += data[3 * p + 1]!;
    sum[3 * c + 2] += data[3 * p + 2]!;
    pixels[c]!++;
  }
  const lab = new Float32Array(keep * 3);
  for (let c = 0; c < keep; c++) {
    const k = 255 * pixels[c]!;
    lab.set(srgbToLab(sum[3 * c]! / k, sum[3 * c + 1]! / k, sum[3 * c + 2]! / k), 3 * c);
  }
  return { index, count: keep, lab, pixels };
}

/** The kept bin (index < keep) nearest to bin b on the quantisation grid. */
function nearestKept(b: number, used: number[], keep: number): number {
  const coords = (x: number) => [Math.floor(x / (LEVELS * LEVELS)), Math.floor(x / LEVELS) % LEVELS, x % LEVELS] as const;
  const [r, g, bl] = coords(b);
  let best = 0;
  let bestDist = Infinity;
  for (let i = 0; i < keep; i++) {
    const [r2, g2, b2] = coords(used[i]!);
    const d = (r - r2) ** 2 + (g - g2) ** 2 + (bl - b2) ** 2;
    if (d < bestDist) {
      bestDist = d;
      best = i;
    }
  }
  return best;
}

/** Lab distances between every pair of colours, count*count. */
export function colorDistances(q: QuantizedImage): Float32Array {
  const { count, lab } = q;
  const dist = new Float32Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let j = i + 1; j < count; j++) {
      const d = Math.hypot(lab[3 * i]! - lab[3 * j]!, lab[3 * i + 1]! - lab[3 * j + 1]!, lab[3 * i + 2]! - lab[3 * j + 2]!);
      dist[i * count + j] = d;
      dist[j * count + i] = d;
    }
  }
  return dist;
}
