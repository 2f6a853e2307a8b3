/**
 * Colorization's classes (Zhang et al. 2016, "Colorful Image Colorization"):
 * the ab plane of Lab is quantised into square bins of side `binSize` (10 in
 * the paper), centred on multiples of it, and only the bins that sRGB
 * colours reach are kept ("in gamut"): 262 bins for side 10 here (the paper
 * lists 313; its set was drawn more generously around the gamut). The gamut
 * is sampled on the faces of the RGB cube, whose image bounds the gamut's ab
 * projection.
 *
 * Soft encoding: a pixel's true ab is spread over its `neighbours` (5)
 * nearest bins with a Gaussian kernel of width sigma (5), normalised. The
 * nearest bins are searched among the in-gamut bins of the 6x6 lattice
 * points around it; any bin outside that block is more than 3 bin sides (30)
 * away, so with sigma 5 it could only have carried a weight below e^-18 of
 * the nearest one.
 */
import * as tf from "@tensorflow/tfjs-core";
import { srgbToLab } from "./lab";

export interface AbBins {
  binSize: number;
  /** Q, the number of in-gamut bins. */
  count: number;
  /** Bin centres (a, b), [count * 2], by a then b. */
  centers: Float32Array;
  /** Lattice points (i, j) (centre (i, j) * binSize), i and j in [lo, lo + side): bin at table[(i - lo) * side + (j - lo)], or `count` out of gamut. */
  lo: number;
  side: number;
  table: Int32Array;
}

/** Samples per edge of each face of the RGB cube. */
const FACE_SAMPLES = 128;
/** Candidates for the nearest bins: lattice offsets -REACH+1 .. REACH around floor(ab / binSize). */
const REACH = 3;

const binsCache = new Map<number, AbBins>();

export function abBins(binSize = 10): AbBins {
  const cached = binsCache.get(binSize);
  if (cached) return cached;
  const points = new Set<number>();
  const key = (i: number, j: number) => (i + 1000) * 2001 + (j + 1000);
  const last = FACE_SAMPLES - 1;
  for (let axis = 0; axis < 3; axis++) {
    for (const side of [0, 1]) {
      for (let u = 0; u <= last; u++) {
        for (let v = 0; v <= last; v++) {
          const rgb = [0, 0, 0];
          rgb[axis] = side;
          rgb[(axis + 1) % 3] = u / last;
          rgb[(axis + 2) % 3] = v / last;
          const [, a, b] = srgbToLab(rgb[0]!, rgb[1]!, rgb[2]!);
          points.add(key(Math.round(a / binSize), Math.round(b / binSize)));
        }
      }
    }
  }
  const lattice = [...points].sort((p, q) => p - q).map((p) => [Math.floor(p / 2001) - 1000, (p % 2001) - 1000] as const);
  // A margin of out-of-gamut points around the gamut, so every candidate block lies inside the table.
  const lo = Math.min(...lattice.flat()) - REACH - 1;
  const side = Math.max(...lattice.flat()) + REACH + 2 - lo;
  const table = new Int32Array(side * side).fill(lattice.length);
  const centers = new Float32Array(lattice.length * 2);
  lattice.forEach(([i, j], q) => {
    table[(i - lo) * side + (j - lo)] = q;
    centers[2 * q] = i * binSize;
    centers[2 * q + 1] = j * binSize;
  });
  const bins = { binSize, count: lattice.length, centers, lo, side, table };
  binsCache.set(binSize, bins);
  return bins;
}

/**
 * Soft encoding of ab values [M, 2]: each one's `neighbours` nearest bins
 * [M, k] (int32) and their Gaussian weights [M, k], summing to 1.
 */
export function softEncode(ab: tf.Tensor2D, bins: AbBins, neighbours = 5, sigma = 5): { bins: tf.Tensor2D; weights: tf.Tensor2D } {
  const { binSize: s, lo, side, table, count } = bins;
  const width = 2 * REACH;
  const offsets = Array.from({ length: width }, (_, o) => o - REACH + 1);
  return tf.tidy(() => {
    // Lattice cell of each value (kept where its whole candidate block is inside the table), and its place in the cell.
    const cell = tf.clipByValue(tf.floor(tf.div(ab, s)), lo + REACH - 1, lo + side - 1 - REACH);
    const rest = tf.sub(ab, tf.mul(cell, s));
    // The Gaussian kernel is separable: exp(-(da² + db²) / 2σ²) = exp(-da² / 2σ²) · exp(-db² / 2σ²).
    const along = tf.exp(tf.div(tf.square(tf.sub(tf.expandDims(rest, 2), tf.tensor1d(offsets.map((o) => o * s)))), -2 * sigma * sigma));
    const [ka, kb] = tf.split(along, 2, 1) as [tf.Tensor3D, tf.Tensor3D]; // [M, 1, 6] each
    const kernel = tf.reshape(tf.mul(tf.reshape(ka, [-1, width, 1]), kb), [-1, width * width]);
    // Bin (or `count`, out of gamut) of each candidate lattice point.
    const [ca, cb] = tf.split(tf.sub(cell, lo), 2, 1);
    const base = tf.add(tf.mul(ca!, side), cb!);
    const step = tf.tensor2d(offsets.flatMap((oa) => offsets.map((ob) => oa * side + ob)), [1, width * width]);
    const candidate = tf.gather(tf.tensor1d(table, "int32"), tf.cast(tf.add(base, step), "int32"));
    const weight = tf.mul(kernel, tf.cast(tf.less(candidate, count), "float32"));
    const { values, indices } = tf.topk(weight, neighbours);
    const weights = tf.div(values, tf.add(tf.sum(values, 1, true), 1e-30)) as tf.Tensor2D;
    // Row-wise gather as a flat one: the wasm backend's gather with batchDims reads out of bounds (tfjs 4.22).
    const rows = candidate.shape[0]!;
    const flat = tf.add(indices, tf.mul(tf.reshape(tf.range(0, rows, 1, "int32"), [rows, 1]), tf.scalar(width * width, "int32")));
    const all: tf.Tensor1D = tf.reshape(candidate, [-1]);
    return { bins: tf.gather(all, flat) as tf.Tensor as tf.Tensor2D, weights };
  });
}

/**
 * Soft-encoded targets of ab images [N, H, W, 2] averaged over the cells of
 * a gh x gw grid (pixel (y, x) in cell (floor(y gh / H), floor(x gw / W))):
 * [N, gh, gw, Q]. The cross-entropy of a cell's prediction against this
 * average is the mean of the per-pixel cross-entropies over the cell.
 */
export function cellTargets(ab: tf.Tensor4D, grid: [number, number], bins: AbBins, neighbours = 5, sigma = 5): tf.Tensor4D {
  const [n, h, w] = ab.shape;
  const [gh, gw] = grid;
  const cellOf = new Int32Array(h * w);
  const perCell = new Int32Array(gh * gw);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const cell = Math.floor((y * gh) / h) * gw + Math.floor((x * gw) / w);
      cellOf[y * w + x] = cell;
      perCell[cell]!++;
    }
  }
  const cells = new Int32Array(n * h * w);
  const share = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < h * w; p++) {
      cells[i * h * w + p] = i * gh * gw + cellOf[p]!;
      share[i * h * w + p] = 1 / perCell[cellOf[p]!]!;
    }
  }
  return tf.tidy(() => {
    const code = softEncode(tf.reshape(ab, [-1, 2]) as tf.Tensor2D, bins, neighbours, sigma);
    const rows = tf.tile(tf.tensor2d(cells, [cells.length, 1], "int32"), [1, neighbours]);
    const indices = tf.reshape(tf.stack([rows, code.bins], 2), [-1, 2]);
    const updates = tf.reshape(tf.mul(code.weights, tf.tensor2d(share, [share.length, 1])), [-1]);
    // Column `count` collects the weight of out-of-gamut candidates (zero); it is dropped.
    const sums = tf.scatterND(indices, updates, [n * gh * gw, bins.count + 1]);
    return tf.reshape(tf.slice(sums, [0, 0], [-1, bins.count]), [n, gh, gw, bins.count]) as tf.Tensor4D;
  });
}
