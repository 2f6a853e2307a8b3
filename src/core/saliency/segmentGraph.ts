/**
 * Felzenszwalb & Huttenlocher, "Efficient Graph-Based Image Segmentation" (IJCV 2004), following
 * the authors' segment-image.h. Cheng et al.'s region-contrast saliency (CmSaliencyRC,
 * SegmentImage) runs it on the Lab image, and its regions are the units RC compares.
 */
import type { LabImage } from "./types";

export interface SegmentOptions {
  /** Gaussian smoothing before the graph is built, so that noise does not split regions; 0 = none. */
  sigma: number;
  /** Scale of the merge threshold k/size: larger k, larger regions. */
  k: number;
  /** Components smaller than this are merged into a neighbour afterwards. */
  minSize: number;
}

/** Cheng et al.'s settings for region contrast. */
export const SEGMENT_DEFAULTS: SegmentOptions = { sigma: 0.5, k: 50, minSize: 200 };

export interface Segmentation {
  width: number;
  height: number;
  /** Region per pixel, 0..count-1, numbered in raster order of first appearance. */
  labels: Int32Array;
  count: number;
}

export function segmentGraph(image: LabImage, options: Partial<SegmentOptions> = {}): Segmentation {
  const sigma = options.sigma ?? SEGMENT_DEFAULTS.sigma;
  const k = options.k ?? SEGMENT_DEFAULTS.k;
  const minSize = options.minSize ?? SEGMENT_DEFAULTS.minSize;
  const { width, height } = image;
  const n = width * height;
  if (image.data.length !== n * 3) throw new RangeError(`Lab image ${width}x${height} needs ${n * 3} values, got ${image.data.length}`);
  if (!(sigma >= 0 && k >= 0 && minSize >= 0)) throw new RangeError(`segmentation options must be >= 0: sigma ${sigma}, k ${k}, minSize ${minSize}`);

  const lab = sigma > 0 ? smooth(image.data, width, height, sigma) : image.data;
  const { ids, w } = sortEdges(buildGraph(lab, width, height));
  const offset = neighbourOffsets(width);
  const sets = new DisjointSets(n);

  // Each component's Int(C) + k/|C|. A singleton has no internal edge, so it starts at k.
  const thresh = new Float32Array(n).fill(k);
  for (let i = 0; i < ids.length; i++) {
    const p = ids[i]! >>> 2;
    const ra = sets.find(p);
    const rb = sets.find(p + offset[ids[i]! & 3]!);
    const we = w[i]!;
    if (ra !== rb && we <= thresh[ra]! && we <= thresh[rb]!) {
      const r = sets.join(ra, rb);
      // Edges come in ascending order, so this one is the largest in the merged component's MST: its Int(C).
      thresh[r] = we + k / sets.size[r]!;
    }
  }
  // Sorted order again, so that a small component goes to the neighbour it differs from least.
  for (let i = 0; i < ids.length; i++) {
    const p = ids[i]! >>> 2;
    const ra = sets.find(p);
    const rb = sets.find(p + offset[ids[i]! & 3]!);
    if (ra !== rb && (sets.size[ra]! < minSize || sets.size[rb]! < minSize)) sets.join(ra, rb);
  }

  const labels = new Int32Array(n);
  const labelOf = new Int32Array(n).fill(-1);
  let count = 0;
  for (let p = 0; p < n; p++) {
    const r = sets.find(p);
    if (labelOf[r] === -1) labelOf[r] = count++;
    labels[p] = labelOf[r]!;
  }
  return { width, height, labels, count };
}

/** Separable Gaussian per channel with half-width ceil(4 sigma) and clamped borders, as the authors' filter.h. */
function smooth(src: Float32Array, width: number, height: number, sigma: number): Float32Array {
  const radius = Math.ceil(4 * sigma);
  const kernel = new Float64Array(radius + 1);
  for (let i = 0; i <= radius; i++) kernel[i] = Math.exp(-0.5 * (i / sigma) ** 2);
  const sum = 2 * kernel.reduce((s, v) => s + v, 0) - kernel[0]!;
  for (let i = 0; i <= radius; i++) kernel[i]! /= sum;
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  convolve(src, tmp, width, height, kernel, true);
  convolve(tmp, out, width, height, kernel, false);
  return out;
}

/** One direction of the separable filter; Math.min clamps the taps at the image border. */
function convolve(src: Float32Array, dst: Float32Array, width: number, height: number, kernel: Float64Array, horizontal: boolean): void {
  const extent = horizontal ? width : height;
  const stride = horizontal ? 3 : width * 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = horizontal ? x : y;
      const p = (y * width + x) * 3;
      for (let c = p; c < p + 3; c++) {
        let acc = kernel[0]! * src[c]!;
        for (let i = 1; i < kernel.length; i++) {
          acc += kernel[i]! * (src[c - Math.min(i, t) * stride]! + src[c + Math.min(i, extent - 1 - t) * stride]!);
        }
        dst[c] = acc;
      }
    }
  }
}

/**
 * An edge is named 4 * pixel + direction, its other end the pixel at that direction's offset: the
 * ids alone say where an edge runs, so sorting carries one array instead of two.
 */
const neighbourOffsets = (width: number) => [1, width, width + 1, 1 - width] as const;

/** 8-connected grid graph, each pair once (right, down, down-right, up-right), weighted by Lab distance. */
function buildGraph(lab: Float32Array, width: number, height: number): { ids: Uint32Array; w: Float32Array } {
  const offset = neighbourOffsets(width);
  const ids = new Uint32Array(4 * width * height);
  const w = new Float32Array(ids.length);
  let m = 0;
  const link = (p: number, dir: number) => {
    const q = p + offset[dir]!;
    const dl = lab[3 * p]! - lab[3 * q]!;
    const da = lab[3 * p + 1]! - lab[3 * q + 1]!;
    const db = lab[3 * p + 2]! - lab[3 * q + 2]!;
    ids[m] = 4 * p + dir;
    w[m++] = Math.sqrt(dl * dl + da * da + db * db);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      if (x + 1 < width) link(p, 0);
      if (y + 1 < height) link(p, 1);
      if (x + 1 < width && y + 1 < height) link(p, 2);
      if (x + 1 < width && y > 0) link(p, 3);
    }
  }
  return { ids: ids.subarray(0, m), w: w.subarray(0, m) };
}

/**
 * Edges in ascending weight, reusing the given arrays as scratch. Non-negative float32s order as their bit patterns do, so an LSD radix
 * sort on the bits is exact and linear, where a comparator sort of the ~1M edges of a 600x450 image
 * would cost more than the whole segmentation. Weights travel with the ids so that every pass, and
 * the merge loops after, read memory in sequence. Stable: ties keep graph order, and results are
 * deterministic.
 */
function sortEdges(edges: { ids: Uint32Array; w: Float32Array }): { ids: Uint32Array; w: Float32Array } {
  const m = edges.ids.length;
  let ids = edges.ids;
  let keys = new Uint32Array(edges.w.buffer, edges.w.byteOffset, m);
  let nextIds: Uint32Array = new Uint32Array(m);
  let nextKeys: Uint32Array = new Uint32Array(m);
  const bits = 11;
  const mask = (1 << bits) - 1;
  const passes = Math.ceil(32 / bits);
  // All digits' histograms in one read of the keys; they do not change as the keys move.
  const start = new Uint32Array(passes << bits);
  for (let i = 0; i < m; i++) {
    for (let pass = 0; pass < passes; pass++) start[(pass << bits) + ((keys[i]! >>> (pass * bits)) & mask)]!++;
  }
  for (let pass = 0; pass < passes; pass++) {
    const bucket = start.subarray(pass << bits, (pass + 1) << bits);
    let total = 0;
    for (let d = 0; d < bucket.length; d++) {
      const c = bucket[d]!;
      bucket[d] = total;
      total += c;
    }
    const shift = pass * bits;
    for (let i = 0; i < m; i++) {
      const j = bucket[(keys[i]! >>> shift) & mask]!++;
      nextIds[j] = ids[i]!;
      nextKeys[j] = keys[i]!;
    }
    [ids, nextIds] = [nextIds, ids];
    [keys, nextKeys] = [nextKeys, keys];
  }
  return { ids, w: new Float32Array(keys.buffer, keys.byteOffset, m) };
}

/** Union–find with union by rank and path compression, keeping each set's size at its root. */
class DisjointSets {
  readonly parent: Int32Array;
  readonly rank: Uint8Array;
  readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.rank = new Uint8Array(n);
    this.size = new Int32Array(n).fill(1);
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[x] !== root) {
      const up = this.parent[x]!;
      this.parent[x] = root;
      x = up;
    }
    return root;
  }

  /** Joins two roots; returns the new root. */
  join(ra: number, rb: number): number {
    const root = this.rank[ra]! > this.rank[rb]! ? ra : rb;
    const child = root === ra ? rb : ra;
    this.parent[child] = root;
    this.size[root]! += this.size[child]!;
    if (this.rank[ra] === this.rank[rb]) this.rank[root]!++;
    return root;
  }
}
