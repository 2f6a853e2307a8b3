/**
 * Histogram-contrast saliency (Cheng et al. 2015, section 3): a colour is
 * salient when it is far, in Lab, from the colours that cover most of the
 * image. S(c_i) = sum_j f_j D(c_i, c_j) over the quantised colours, then each
 * colour's saliency is smoothed over its nearest colours, so that quantisation
 * does not give near-identical colours very different values.
 */
import { blur3x3, normalizeRange } from "./mapOps";
import { colorDistances, quantize, type QuantizedImage } from "./quantize";
import type { RgbImage } from "./types";

/** Smooth over the nearest quarter of the colours (the authors' delta = 4). */
const SMOOTH_FRACTION = 4;

export function histogramContrast(image: RgbImage, q: QuantizedImage = quantize(image)): Float32Array {
  const { count } = q;
  const dist = colorDistances(q);
  const total = q.pixels.reduce((a, b) => a + b, 0);
  const colorSal = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < count; j++) s += (q.pixels[j]! / total) * dist[i * count + j]!;
    colorSal[i] = s;
  }
  const smoothed = smoothOverNeighbours(colorSal, dist, count);
  const map = new Float32Array(q.index.length);
  for (let p = 0; p < map.length; p++) map[p] = smoothed[q.index[p]!]!;
  return normalizeRange(blur3x3(map, image.width, image.height));
}

/**
 * S'(c) = sum over the m nearest colours c_i (c itself included) of
 * (T - D(c, c_i)) S(c_i), normalised, with T the sum of those distances:
 * nearer colours weigh more.
 */
function smoothOverNeighbours(sal: Float64Array, dist: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count);
  if (count < 2) return out;
  const m = Math.max(Math.round(count / SMOOTH_FRACTION), 2);
  const order = Array.from({ length: count }, (_, j) => j);
  for (let i = 0; i < count; i++) {
    const near = order.slice().sort((a, b) => dist[i * count + a]! - dist[i * count + b]!).slice(0, m);
    const T = near.reduce((t, j) => t + dist[i * count + j]!, 0);
    let v = 0;
    for (const j of near) v += (T - dist[i * count + j]!) * sal[j]!;
    out[i] = T > 0 ? v / ((m - 1) * T) : sal[i]!;
  }
  return normalizeRange(out);
}
