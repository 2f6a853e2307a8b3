/**
 * Gaussian blur with a per-sample sigma, torchvision's gaussian_blur: kernel
 * exp(-0.5 (t/sigma)^2) at t = linspace(-(k-1)/2, (k-1)/2, k), normalised;
 * reflect padding. Applied separably (rows, then columns), which equals
 * torchvision's 2-D outer-product kernel up to float rounding.
 */
import * as tf from "@tensorflow/tfjs-core";
import { applyPerSample } from "./perSample";

/** Odd kernel size covering +-3 sigma: 2*ceil(3*sigma) + 1, at least 3. */
export function gaussianKernelSize(sigma: number): number {
  if (!(Number.isFinite(sigma) && sigma > 0)) throw new Error(`gaussianKernelSize: sigma must be > 0, got ${sigma}`);
  return Math.max(3, 2 * Math.ceil(3 * sigma) + 1);
}

/** torchvision's normalised 1-D kernel of size k, centred in a zero vector of size K. */
function gaussianKernel(sigma: number, k: number, K: number): Float64Array {
  const out = new Float64Array(K);
  const half = (k - 1) / 2;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const t = (-half + i) / sigma;
    sum += out[(K - k) / 2 + i] = Math.exp(-0.5 * t * t);
  }
  return out.map((v) => v / sum);
}

/**
 * Blur each image with its own sigma (null: unchanged). kernelSize, when
 * given, is used for every sample; otherwise each sample gets
 * gaussianKernelSize(sigma). Sizes are clamped to the largest odd number
 * <= min(H, W) (torchvision would refuse a larger kernel: reflect padding
 * needs pad < side).
 */
export function gaussianBlur(x: tf.Tensor4D, sigmas: readonly (number | null)[], kernelSize?: number): tf.Tensor4D {
  if (kernelSize !== undefined && !(Number.isInteger(kernelSize) && kernelSize >= 1 && kernelSize % 2 === 1)) {
    throw new Error(`gaussianBlur: kernelSize must be a positive odd integer, got ${kernelSize}`);
  }
  for (const s of sigmas) {
    if (s !== null && !(Number.isFinite(s) && s > 0)) throw new Error(`gaussianBlur: sigma must be > 0, got ${s}`);
  }
  return applyPerSample("gaussianBlur", x, sigmas, (sub, ss) => {
    const [n, H, W, C] = sub.shape;
    const side = Math.min(H, W);
    const maxK = side % 2 === 1 ? side : side - 1;
    const sizes = ss.map((s) => Math.min(kernelSize ?? gaussianKernelSize(s), maxK));
    const K = Math.max(...sizes);
    if (K === 1) return sub;
    // Batch into channels, [1,H,W,n*C], so one depthwise conv applies each sample's kernel.
    const filter = new Float32Array(K * n * C);
    ss.forEach((s, b) => {
      const g = gaussianKernel(s, sizes[b]!, K);
      for (let i = 0; i < K; i++) for (let c = 0; c < C; c++) filter[i * n * C + b * C + c] = g[i]!;
    });
    const p = (K - 1) / 2;
    const t: tf.Tensor4D = tf.reshape(tf.transpose(sub, [1, 2, 0, 3]), [1, H, W, n * C]);
    const padded = tf.mirrorPad(t, [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ], "reflect");
    const rows = tf.depthwiseConv2d(padded, tf.tensor4d(filter, [K, 1, n * C, 1]), 1, "valid");
    const both = tf.depthwiseConv2d(rows, tf.tensor4d(filter, [1, K, n * C, 1]), 1, "valid");
    const out: tf.Tensor4D = tf.transpose(tf.reshape(both, [H, W, n, C]), [2, 0, 1, 3]);
    // Weights sum to 1 only up to rounding.
    return tf.clipByValue(out, 0, 1);
  });
}
