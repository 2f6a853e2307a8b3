/**
 * Colour blends, one factor per sample, as torchvision's adjust_* ops: each
 * blends the image with a degenerate image (black, mean gray, grayscale, a
 * smoothed copy) and clips to [0, 1]. Grayscale is ITU-R 601-2 luma, as in
 * simclrView's colour jitter.
 */
import * as tf from "@tensorflow/tfjs-core";
import { LUMA_WEIGHTS } from "../simclrView";
import { applyPerSample, checkLength, perSample } from "./perSample";

function checkFactors(name: string, factors: readonly (number | null)[]): void {
  for (const f of factors) {
    if (f !== null && !(Number.isFinite(f) && f >= 0)) throw new Error(`${name}: factors must be finite and >= 0, got ${f}`);
  }
}

/** f*x + (1-f)*degenerate, clipped. */
function blend(x: tf.Tensor4D, degenerate: tf.Tensor4D, factors: readonly number[]): tf.Tensor4D {
  const y: tf.Tensor4D = tf.add(tf.mul(x, perSample(factors)), tf.mul(degenerate, perSample(factors.map((f) => 1 - f))));
  return tf.clipByValue(y, 0, 1);
}

/** Grayscale of an RGB batch in every channel (a matMul on [pixels, 3]: slicing channels is slow on wasm). */
function gray3(x: tf.Tensor4D): tf.Tensor4D {
  const [n, H, W] = x.shape;
  const g = tf.tensor2d(
    LUMA_WEIGHTS.flatMap((w) => [w, w, w]),
    [3, 3],
  );
  return tf.reshape(tf.matMul(tf.reshape(x, [n * H * W, 3]), g), [n, H, W, 3]);
}

/** Per-image mean of the grayscale, [n,1,1,1]. */
function meanGray(x: tf.Tensor4D): tf.Tensor4D {
  const n = x.shape[0];
  const perChannel = tf.mean(x, [1, 2]); // [n, C]
  if (x.shape[3] === 1) return tf.reshape(perChannel, [n, 1, 1, 1]);
  return tf.reshape(tf.matMul(perChannel, tf.tensor2d([...LUMA_WEIGHTS], [3, 1])), [n, 1, 1, 1]);
}

/** Multiply by the factor and clip (blend with black). */
export function brightness(x: tf.Tensor4D, factors: readonly (number | null)[]): tf.Tensor4D {
  checkFactors("brightness", factors);
  return applyPerSample("brightness", x, factors, (sub, fs) => tf.clipByValue(tf.mul(sub, perSample(fs)), 0, 1));
}

/** Blend with the per-image mean of the grayscale. */
export function contrast(x: tf.Tensor4D, factors: readonly (number | null)[]): tf.Tensor4D {
  checkFactors("contrast", factors);
  return applyPerSample("contrast", x, factors, (sub, fs) => {
    const y: tf.Tensor4D = tf.add(tf.mul(sub, perSample(fs)), tf.mul(meanGray(sub), perSample(fs.map((f) => 1 - f))));
    return tf.clipByValue(y, 0, 1);
  });
}

/** Blend with the grayscale; a copy for 1-channel images. */
export function saturation(x: tf.Tensor4D, factors: readonly (number | null)[]): tf.Tensor4D {
  checkFactors("saturation", factors);
  if (x.shape[3] === 1) {
    checkLength("saturation", x, factors);
    return x.clone();
  }
  return applyPerSample("saturation", x, factors, (sub, fs) => blend(sub, gray3(sub), fs));
}

/**
 * torchvision adjust_sharpness: blend with the image smoothed by
 * [[1,1,1],[1,5,1],[1,1,1]]/13, whose border pixels are the original's.
 * f*x + (1-f)*smooth = x + (1-f)*(smooth - x), and (smooth - x) is one 3x3
 * depthwise conv (kernel minus the identity) on the interior, zero-padded:
 * the border stays x exactly. Images with a side <= 2 are returned unchanged
 * (as torchvision).
 */
export function sharpness(x: tf.Tensor4D, factors: readonly (number | null)[]): tf.Tensor4D {
  checkFactors("sharpness", factors);
  const [, H, W, C] = x.shape;
  if (H <= 2 || W <= 2) {
    checkLength("sharpness", x, factors);
    return x.clone();
  }
  return applyPerSample("sharpness", x, factors, (sub, fs) => {
    const k = [1, 1, 1, 1, 5 - 13, 1, 1, 1, 1].flatMap((v) => new Array<number>(C).fill(v / 13));
    const detail = tf.depthwiseConv2d(sub, tf.tensor4d(k, [3, 3, C, 1]), 1, "valid");
    const padded = tf.pad(detail, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    return tf.clipByValue(tf.add(sub, tf.mul(padded, perSample(fs.map((f) => 1 - f)))), 0, 1);
  });
}
