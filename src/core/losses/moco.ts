/**
 * MoCo v2's InfoNCE (He et al. 2020, Chen et al. 2020): each query must pick
 * out the key of its own image (from the momentum encoder) against a queue of
 * keys of earlier batches, by a softmax over cosine similarities divided by
 * the temperature, the positive at index 0. The keys and the queue get no
 * gradient: the momentum encoder moves only through its update, and the queue
 * is a buffer.
 */
import * as tf from "@tensorflow/tfjs-core";
import { l2normalize } from "./normalize";
import { stopGradient } from "./stopGradient";

export interface MocoInputs {
  /** Queries from the online encoder, [N, d]; normalised here. */
  q: tf.Tensor2D;
  /** Keys from the momentum encoder, [N, d]; normalised here; stop-gradient. Row i is the positive of q's row i. */
  k: tf.Tensor2D;
  /** Negative keys from earlier batches, [K, d], rows already L2-normalised; stop-gradient. */
  queue: tf.Tensor2D;
}

export interface MocoParams {
  temperature: number;
}

export function moco({ q, k, queue }: MocoInputs, { temperature }: MocoParams): tf.Scalar {
  return tf.tidy(() => {
    const qn = l2normalize(q);
    const kn = stopGradient(l2normalize(k));
    const positive = tf.sum(tf.mul(qn, kn), 1, true); // [N, 1]
    const negatives = tf.matMul(qn, stopGradient(queue), false, true); // [N, K]
    const logits = tf.div(tf.concat([positive, negatives], 1), temperature);
    const logProb = tf.logSoftmax(logits, 1);
    // Cross-entropy with the label 0 for every row.
    return tf.neg(tf.mean(tf.slice(logProb, [0, 0], [-1, 1]))) as tf.Scalar;
  });
}
