/**
 * SwAV (Caron et al. 2020): swapped prediction. Each view's embedding is
 * scored against learnable prototypes (cosine similarities); Sinkhorn-Knopp
 * turns one view's scores into soft codes that spread the batch evenly over
 * the prototypes, and the other view must predict those codes by a softmax
 * over its own scores divided by the temperature. The codes are computed
 * without gradient; the prototypes get gradients through the scores.
 */
import * as tf from "@tensorflow/tfjs-core";
import { l2normalize } from "./normalize";
import { detached } from "./stopGradient";

export interface SwavInputs {
  /** Projections of the first views, [B, d]; normalised here. */
  z1: tf.Tensor2D;
  /** Projections of the second views, [B, d]; normalised here. Row i is the other view of z1's row i. */
  z2: tf.Tensor2D;
  /** Prototype vectors, [K, d]; normalised here (with gradient). */
  prototypes: tf.Tensor2D;
}

export interface SwavParams {
  /** Sinkhorn regularisation: the codes are exp(scores / epsilon) before balancing; 0.05 in the paper. */
  epsilon: number;
  /** Softmax temperature of the predictions; 0.1 in the paper. */
  temperature: number;
  /** Sinkhorn-Knopp iterations; 3 in the paper. */
  sinkhornIterations: number;
}

/**
 * Soft codes [B, K] from scores [B, K] by Sinkhorn-Knopp, as the official
 * SwAV `distributed_sinkhorn` (single process): Q = exp(scores/epsilon)^T
 * (K x B) normalised to total 1, then `iterations` times rows (prototypes) to
 * 1/K each and columns (samples) to 1/B each; times B so every sample's codes
 * sum to 1, transposed back. No gradient flows to `scores`.
 */
export function sinkhorn(scores: tf.Tensor2D, epsilon: number, iterations: number): tf.Tensor2D {
  return detached(scores, (s) => {
    const [b, k] = s.shape as [number, number];
    // Subtracting the global maximum cancels in the total normalisation below
    // (exactly, in real arithmetic) and keeps exp finite in float32 for small epsilon.
    let q = tf.transpose(tf.exp(tf.div(tf.sub(s, tf.max(s)), epsilon))) as tf.Tensor2D; // [K, B]
    q = tf.div(q, tf.sum(q));
    for (let it = 0; it < iterations; it++) {
      q = tf.div(tf.div(q, tf.sum(q, 1, true)), k);
      q = tf.div(tf.div(q, tf.sum(q, 0, true)), b);
    }
    return tf.transpose(tf.mul(q, b)) as tf.Tensor2D;
  });
}

/** -mean over the batch of sum_k codes * log_softmax(scores / temperature). */
function swappedPrediction(codes: tf.Tensor2D, scores: tf.Tensor2D, temperature: number): tf.Scalar {
  const logProb = tf.logSoftmax(tf.div(scores, temperature), 1);
  return tf.neg(tf.mean(tf.sum(tf.mul(codes, logProb), 1))) as tf.Scalar;
}

export interface SwavMultiCropInputs {
  /** Projections of every crop, [B, d] each; the first two are the global crops whose codes are predicted. */
  crops: tf.Tensor2D[];
  prototypes: tf.Tensor2D;
}

/**
 * Multi-crop SwAV as the official code: codes from each of the two global
 * crops, predicted by every other crop; each global crop's loss averaged
 * over its predicting crops, then over the two global crops.
 */
export function swavMultiCrop({ crops, prototypes }: SwavMultiCropInputs, { epsilon, temperature, sinkhornIterations }: SwavParams): tf.Scalar {
  return tf.tidy(() => {
    if (crops.length < 2) throw new Error(`swav: needs at least 2 crops, got ${crops.length}`);
    const c = l2normalize(prototypes);
    const scores = crops.map((z) => tf.matMul(l2normalize(z), c, false, true) as tf.Tensor2D); // [B, K] each
    const perGlobal = [0, 1].map((g) => {
      const codes = sinkhorn(scores[g]!, epsilon, sinkhornIterations);
      const others = scores.filter((_, v) => v !== g).map((s) => swappedPrediction(codes, s, temperature));
      return tf.div(tf.addN(others), others.length);
    });
    return tf.mul(tf.add(perGlobal[0]!, perGlobal[1]!), 0.5) as tf.Scalar;
  });
}

/** Two-crop SwAV, named as the reference fixture: the case of swavMultiCrop with no local crops. */
export function swav({ z1, z2, prototypes }: SwavInputs, params: SwavParams): tf.Scalar {
  return swavMultiCrop({ crops: [z1, z2], prototypes }, params);
}
