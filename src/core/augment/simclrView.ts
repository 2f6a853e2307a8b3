/**
 * SimCLR views as batched TensorFlow.js ops: the parameters come from
 * simclrParams.ts (drawn on the CPU), the pixel work runs on whatever backend
 * is active. Images are float32 NHWC in [0, 1] with 1 or 3 channels.
 *
 * Semantics follow torchvision's tensor ops (the fixtures in
 * test/fixtures/augment/ are its outputs):
 * - crop + resize: bilinear, align_corners=False (half-pixel centres), no
 *   antialias. Done with one `cropAndResize` on the image padded by one
 *   replicated pixel, so samples up to half a pixel outside the image are
 *   clamped to the edge exactly as torchvision does. One difference: when a
 *   crop is upsampled, torchvision clamps samples to the *crop's* edge, while
 *   here the outermost output pixels (those within half a source pixel of the
 *   crop's edge) blend in the neighbouring pixel outside the crop.
 * - flip after the resize, folded into the box (x1 > x2 reverses the columns).
 * - colour jitter: brightness multiplies; contrast blends with the per-image
 *   mean of the grayscale; saturation blends with the grayscale; hue is an
 *   exact RGB->HSV->RGB shift (torchvision's adjust_hue). Each op clips to
 *   [0, 1], as torchvision's `_blend` does. Saturation and hue are no-ops on
 *   1-channel images.
 * - grayscale: ITU-R 601-2 luma 0.299 R + 0.587 G + 0.114 B, in all channels.
 *
 * Performance notes (wasm backend, which runs these on CPU): channel mixing is
 * done with small matMuls on [pixels, 3] rather than slices; per-sample factors
 * broadcast as [B,1,1]. Slicing a channel, gather, and broadcasting
 * min/max/equal/mod/where against [..,1] or [B,1,1,1] fall onto slow generic
 * loops there (10-30x a plain elementwise op); add/mul broadcasts, matMul,
 * slices along the batch and cropAndResize are fast. Shapes are [B, H*W, C]
 * inside (reshape is free).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ColorJitterParams, CropBox } from "./sample";

/** ITU-R 601-2 luma weights (PIL's convert("L"); torchvision uses 0.2989 for R). */
export const LUMA_WEIGHTS = [0.299, 0.587, 0.114] as const;

/** x @ GRAY: the luma in every channel. GRAY[i][j] = LUMA_WEIGHTS[i]. */
const GRAY = LUMA_WEIGHTS.flatMap((w) => [w, w, w]);
/** x @ HUE_DIFF = (g - b, b - r, r - g): the numerators of the hue when r, g, b is the max. */
const HUE_DIFF = [0, -1, 1, 1, 0, -1, -1, 1, 0];

/** Per-sample scalars as a [B,1,1] tensor, broadcast against [B,P,C]. */
function perSample(values: ArrayLike<number>): tf.Tensor3D {
  return tf.tensor3d(Float32Array.from(values), [values.length, 1, 1]);
}

/** [N,1] -> [N,k], the column repeated (a matMul: broadcasting [N,1] against [N,k] is slow on wasm). */
function repeatColumn(col: tf.Tensor, k: number): tf.Tensor2D {
  return tf.matMul(col as tf.Tensor2D, tf.ones([1, k]));
}

/** [B,P,3] -> its grayscale in every channel, [B,P,3]. */
function gray3(x: tf.Tensor3D): tf.Tensor3D {
  const [B, P] = x.shape;
  return tf.reshape(tf.matMul(tf.reshape(x, [B * P, 3]), tf.tensor2d(GRAY, [3, 3])), [B, P, 3]);
}

/** [B,P,C] -> per-image mean of the grayscale, [B,1,1]. */
function meanGray(x: tf.Tensor3D): tf.Tensor3D {
  const B = x.shape[0];
  if (x.shape[2] === 1) return tf.mean(x, [1, 2], true);
  return tf.reshape(tf.matMul(tf.mean(x, 1), tf.tensor2d(LUMA_WEIGHTS as unknown as number[], [3, 1])), [B, 1, 1]);
}

/**
 * out[b] = x[perm[b]], exactly. A full-image cropAndResize: sampling at integer
 * positions with zero interpolation weights copies the pixels (tf.gather is
 * ~20x slower on wasm).
 */
function permuteBatch(x: tf.Tensor4D, perm: ArrayLike<number>): tf.Tensor4D {
  const [, H, W] = x.shape;
  const n = perm.length;
  const boxes = new Float32Array(4 * n);
  for (let b = 0; b < n; b++) boxes.set([0, 0, 1, 1], 4 * b);
  return tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), tf.tensor1d(Int32Array.from(perm), "int32"), [H, W]);
}

/** Grayscale [B,H,W,1] of an RGB batch (a copy of a 1-channel batch). */
export function luma(x: tf.Tensor4D): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (C === 1) return x.clone();
  return tf.tidy(() =>
    tf.reshape(tf.matMul(tf.reshape(x, [B * H * W, 3]), tf.tensor2d(LUMA_WEIGHTS as unknown as number[], [3, 1])), [B, H, W, 1]),
  );
}

/**
 * Crop each image to its box (source pixels), resize bilinearly to
 * outHeight x outWidth, and mirror left-right where `flips[b]`. Output b is
 * cropped from image `sourceIndex[b]` (default b), so the output can come in
 * another order than the input.
 */
export function cropResizeFlip(
  images: tf.Tensor4D,
  boxes: readonly CropBox[],
  flips: readonly boolean[],
  outHeight: number,
  outWidth: number = outHeight,
  sourceIndex?: ArrayLike<number>,
): tf.Tensor4D {
  const [B, H, W] = images.shape;
  const n = boxes.length;
  const source = sourceIndex ? Int32Array.from(sourceIndex) : Int32Array.from({ length: n }, (_, i) => i);
  if (flips.length !== n || source.length !== n || (!sourceIndex && n !== B)) {
    throw new Error(`cropResizeFlip: ${B} images, ${n} boxes, ${flips.length} flips, ${source.length} source indices`);
  }
  if (!(outHeight >= 1 && outWidth >= 1)) throw new Error(`cropResizeFlip: bad output size ${outHeight}x${outWidth}`);
  const norm = new Float32Array(n * 4);
  for (let b = 0; b < n; b++) {
    const { top, left, height: h, width: w } = boxes[b]!;
    if (!(source[b]! >= 0 && source[b]! < B)) throw new Error(`cropResizeFlip: no image ${source[b]} in a batch of ${B}`);
    if (!(h > 0 && w > 0 && top >= 0 && left >= 0 && top + h <= H && left + w <= W)) {
      throw new Error(`cropResizeFlip: box ${JSON.stringify(boxes[b])} outside the ${H}x${W} image`);
    }
    // Half-pixel centres: output row i samples source row top + (i + 0.5) * h / outHeight - 0.5.
    // cropAndResize samples y1 + i * (y2 - y1) / (outHeight - 1) (pixel units), so the box
    // runs from the first to the last sample. +1 for the padding row; normalised by (H + 2) - 1.
    const y1 = top + (0.5 * h) / outHeight - 0.5 + 1;
    const y2 = top + h - (0.5 * h) / outHeight - 0.5 + 1;
    const x1 = left + (0.5 * w) / outWidth - 0.5 + 1;
    const x2 = left + w - (0.5 * w) / outWidth - 0.5 + 1;
    norm[4 * b] = y1 / (H + 1);
    norm[4 * b + 1] = (flips[b] ? x2 : x1) / (W + 1);
    norm[4 * b + 2] = y2 / (H + 1);
    norm[4 * b + 3] = (flips[b] ? x1 : x2) / (W + 1);
  }
  return tf.tidy(() => {
    const padded = tf.mirrorPad(images, [[0, 0], [1, 1], [1, 1], [0, 0]], "symmetric");
    return tf.image.cropAndResize(padded, tf.tensor2d(norm, [n, 4]), tf.tensor1d(source, "int32"), [outHeight, outWidth], "bilinear");
  });
}

/** Hue shift on [n,P,3]; see adjustHue. */
function hueShift3(x: tf.Tensor3D, shifts: ArrayLike<number>): tf.Tensor3D {
  const [n, P] = x.shape;
  const N = n * P;
  const x2 = tf.reshape(x, [N, 3]);
  const maxc = tf.max(x2, 1, true);
  const range = tf.sub(maxc, tf.min(x2, 1, true));
  // Where range = 0 (gray) the numerators are exactly 0 and so is the output's range: any finite 1/range does.
  const inv = tf.reciprocal(tf.add(range, 1e-20));
  // Hue in sixths of a turn: 0 + (g-b)/range if r is the max, 2 + (b-r)/range if g, 4 + (r-g)/range if b.
  // (On ties the candidates agree modulo 6, so argMax's choice does not matter.)
  const sel = tf.cast(tf.oneHot(tf.argMax(x2, 1), 3), "float32");
  const num = tf.sum(tf.mul(tf.matMul(x2, tf.tensor2d(HUE_DIFF, [3, 3])), sel), 1, true);
  const h6 = tf.add(tf.mul(num, inv), tf.matMul(sel, tf.tensor2d([0, 2, 4], [3, 1])));
  const shifted = tf.add(tf.reshape(h6, [n, P, 1]), perSample(Array.from(shifts, (v) => 6 * v)));
  // k = (n + 6h) mod 6 with n = 5, 3, 1 for R, G, B; f = clip(min(k, 4 - k), 0, 1) = clip(2 - |k - 2|, 0, 1).
  // f is continuous and 6-periodic, so rounding in the mod cannot jump.
  const k = tf.add(repeatColumn(tf.reshape(shifted, [N, 1]), 3), tf.tensor1d([5, 3, 1]));
  const kMod = tf.sub(k, tf.mul(tf.floor(tf.mul(k, 1 / 6)), 6));
  const f = tf.clipByValue(tf.sub(2, tf.abs(tf.sub(kMod, 2))), 0, 1);
  // c = v - v*s*f, with v = max and v*s = max - min.
  const out = tf.sub(repeatColumn(maxc, 3), tf.mul(repeatColumn(range, 3), f));
  return tf.reshape(out, [n, P, 3]);
}

/**
 * Shift the hue of each RGB image by `shifts[b]` turns, as torchvision's
 * adjust_hue: RGB -> HSV, h = (h + shift) mod 1, HSV -> RGB. The HSV -> RGB
 * step uses the closed form c = v - v*s*clip(min(k, 4 - k), 0, 1) with
 * k = (n + 6h) mod 6, n = 5, 3, 1 for R, G, B (equal to the six-sector table),
 * and v*s = max - min. A copy for 1-channel images.
 */
export function adjustHue(x: tf.Tensor4D, shifts: ArrayLike<number>): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (shifts.length !== B) throw new Error(`adjustHue: ${B} images but ${shifts.length} shifts`);
  if (C !== 3) return x.clone();
  return tf.tidy(() => tf.reshape(hueShift3(tf.reshape(x, [B, H * W, 3]), shifts), [B, H, W, 3]));
}

/**
 * Brightness, contrast or saturation, one per sample (the op at `slot` of its
 * order; identity for the others), fused: a*x + b*gray + c*mean(gray), clipped.
 */
function affineSlot(y: tf.Tensor3D, jitters: readonly ColorJitterParams[], slot: number): tf.Tensor3D {
  const n = jitters.length;
  const C = y.shape[2];
  const alpha = new Float32Array(n).fill(1); // weight of the image
  const beta = new Float32Array(n); // weight of its grayscale (saturation)
  const gamma = new Float32Array(n); // weight of the mean of its grayscale (contrast)
  let active = false;
  jitters.forEach((j, b) => {
    const op = j.order[slot];
    if (op === "brightness" && j.brightness !== 1) {
      alpha[b] = j.brightness;
      active = true;
    } else if (op === "contrast" && j.contrast !== 1) {
      alpha[b] = j.contrast;
      gamma[b] = 1 - j.contrast;
      active = true;
    } else if (op === "saturation" && C === 3 && j.saturation !== 1) {
      alpha[b] = j.saturation;
      beta[b] = 1 - j.saturation;
      active = true;
    }
  });
  if (!active) return y;
  let z: tf.Tensor3D = tf.mul(y, perSample(alpha));
  if (beta.some((v) => v !== 0)) z = tf.add(z, tf.mul(gray3(y), perSample(beta)));
  if (gamma.some((v) => v !== 0)) z = tf.add(z, tf.mul(meanGray(y), perSample(gamma)));
  return tf.clipByValue(z, 0, 1);
}

/** Which slots of a sample's order are an effective hue shift, as a bit mask; -1 when not jittered. */
function hueSlotMask(j: ColorJitterParams | null, channels: number): number {
  if (!j) return -1;
  let mask = 0;
  if (channels === 3 && j.hue !== 0) j.order.forEach((op, slot) => op === "hue" && (mask |= 1 << slot));
  return mask;
}

/**
 * The batch order colorJitter works in: samples grouped (stably) by where hue
 * falls in their op order, unjittered samples last.
 */
function jitterBatchOrder(jitters: readonly (ColorJitterParams | null)[], channels: number): Int32Array {
  const keys = jitters.map((j) => hueSlotMask(j, channels));
  const sortKey = (k: number) => (k < 0 ? Number.MAX_SAFE_INTEGER : k);
  const perm = Array.from({ length: jitters.length }, (_, i) => i);
  perm.sort((a, b) => sortKey(keys[a]!) - sortKey(keys[b]!) || a - b);
  return Int32Array.from(perm);
}

/** colorJitter on a batch already in jitterBatchOrder. */
function colorJitterGrouped(y: tf.Tensor3D, jitters: readonly (ColorJitterParams | null)[]): tf.Tensor3D {
  const C = y.shape[2];
  const keys = jitters.map((j) => hueSlotMask(j, C));
  const slots = jitters.reduce((m, j) => Math.max(m, j ? j.order.length : 0), 0);
  // Contiguous runs of one key: hue runs on whole groups, so no gather/scatter per slot.
  const groups: { key: number; start: number; y: tf.Tensor3D; jitters: ColorJitterParams[] }[] = [];
  for (let start = 0; start < keys.length; ) {
    let end = start + 1;
    while (end < keys.length && keys[end] === keys[start]) end++;
    groups.push({
      key: keys[start]!,
      start,
      y: keys.length === end - start ? y : tf.slice(y, [start, 0, 0], [end - start, -1, -1]),
      jitters: jitters.slice(start, end) as ColorJitterParams[],
    });
    start = end;
  }
  for (let slot = 0; slot < slots; slot++) {
    for (const g of groups) {
      if (g.key < 0) continue;
      g.y =
        g.key & (1 << slot)
          ? hueShift3(g.y, g.jitters.map((j) => j.hue))
          : affineSlot(g.y, g.jitters, slot);
    }
  }
  return groups.length === 1 ? groups[0]!.y : tf.concat(groups.map((g) => g.y), 0);
}

/**
 * ColorJitter with per-sample factors and per-sample op order (null = not
 * applied), without a per-sample loop over tensors. Samples are grouped by
 * where hue falls in their order (at most 4 groups + the unjittered, which are
 * left alone); then in slot k each group applies its k-th op: hue for the
 * group whose k-th op it is, otherwise brightness / contrast / saturation,
 * which fuse into one per-sample affine step (identity for samples whose k-th
 * op is another). So each image pays for hue once and for the cheap affine
 * step four times.
 */
export function colorJitter(x: tf.Tensor4D, jitters: readonly (ColorJitterParams | null)[]): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (jitters.length !== B) throw new Error(`colorJitter: ${B} images but ${jitters.length} parameter sets`);
  if (jitters.every((j) => j === null)) return x.clone();
  return tf.tidy(() => {
    const perm = jitterBatchOrder(jitters, C);
    const sorted = perm.every((p, i) => p === i);
    const xs = sorted ? x : permuteBatch(x, perm);
    const out = colorJitterGrouped(tf.reshape(xs, [B, H * W, C]), Array.from(perm, (p) => jitters[p]!));
    const out4: tf.Tensor4D = tf.reshape(out, [B, H, W, C]);
    return sorted ? (out4 === x ? x.clone() : out4) : permuteBatch(out4, inversePermutation(perm));
  });
}

function inversePermutation(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Replace the images where `mask[b]` by their grayscale (in every channel). A copy for 1-channel images. */
export function randomGrayscale(x: tf.Tensor4D, mask: readonly boolean[]): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (mask.length !== B) throw new Error(`randomGrayscale: ${B} images but ${mask.length} flags`);
  if (C !== 3 || !mask.some(Boolean)) return x.clone();
  return tf.tidy(() => {
    const x3: tf.Tensor3D = tf.reshape(x, [B, H * W, 3]);
    // x * (1 - m) + gray * m with m in {0, 1}: exactly x or exactly gray.
    const keep = tf.mul(x3, perSample(Array.from(mask, (m) => (m ? 0 : 1))));
    const out = tf.add(keep, tf.mul(gray3(x3), perSample(Array.from(mask, (m) => (m ? 1 : 0)))));
    return tf.reshape(out, [B, H, W, 3]);
  });
}
