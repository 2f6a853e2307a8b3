/**
 * Which points of a series to draw: at most a few per pixel column. Each
 * bucket of equal x width keeps its first and last point and the minimum
 * and maximum of every y series given (M4, Jugel et al. 2014), so the drawn
 * line has the same extremes as the full data at that width. When the
 * range holds few points all of them are kept: zooming in shows the real
 * points.
 */

/** First index with x[i] >= v (x non-decreasing). */
export function lowerBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index with x[i] > v. */
export function upperBound(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Indices (ascending) of the points of x[from..to) to draw in `buckets`
 * columns. `ys` are the series whose extremes must survive (raw and
 * smoothed); NaN values are never chosen as extremes.
 */
export function downsampleIndices(x: Float64Array, ys: readonly Float64Array[], from: number, to: number, buckets: number): Uint32Array {
  const n = to - from;
  if (n <= 0) return new Uint32Array(0);
  if (n <= buckets * 4) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = from + i;
    return all;
  }
  const x0 = x[from]!;
  const span = x[to - 1]! - x0 || 1;
  const picked: number[] = [];
  for (let start = from; start < to; ) {
    const bucket = Math.min(buckets - 1, Math.floor(((x[start]! - x0) / span) * buckets));
    const limit = x0 + ((bucket + 1) / buckets) * span;
    let end = start + 1;
    while (end < to && (bucket === buckets - 1 || x[end]! < limit)) end++;
    const chosen = [start, end - 1];
    for (const y of ys) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = y[i]!;
        if (Number.isNaN(v)) continue;
        if (lo < 0 || v < y[lo]!) lo = i;
        if (hi < 0 || v > y[hi]!) hi = i;
      }
      if (lo >= 0) chosen.push(lo, hi);
    }
    chosen.sort((a, b) => a - b);
    for (const i of chosen) if (picked[picked.length - 1] !== i) picked.push(i);
    start = end;
  }
  return Uint32Array.from(picked);
}
