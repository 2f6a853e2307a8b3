/** Small operations on per-pixel float maps shared by the saliency maps. */

/** Rescale to [0, 1] (a constant map becomes all zeros). In place, returned for chaining. */
export function normalizeRange(map: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  for (let i = 0; i < map.length; i++) map[i] = span > 0 ? (map[i]! - lo) / span : 0;
  return map;
}

/**
 * The 3x3 Gaussian (OpenCV's GaussianBlur(3x3, sigma 0): weights 1-2-1) with
 * replicated borders: the authors smooth both maps with it before use.
 */
export function blur3x3(map: Float32Array, width: number, height: number): Float32Array {
  const tmp = new Float32Array(map.length);
  const out = new Float32Array(map.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const l = map[row + Math.max(x - 1, 0)]!;
      const r = map[row + Math.min(x + 1, width - 1)]!;
      tmp[row + x] = (l + 2 * map[row + x]! + r) / 4;
    }
  }
  for (let y = 0; y < height; y++) {
    const up = Math.max(y - 1, 0) * width;
    const down = Math.min(y + 1, height - 1) * width;
    for (let x = 0; x < width; x++) out[y * width + x] = (tmp[up + x]! + 2 * tmp[y * width + x]! + tmp[down + x]!) / 4;
  }
  return out;
}
