/**
 * NT-Xent, SimCLR's contrastive loss (Chen et al. 2020): each embedding must
 * pick out the other view of its image among the 2N-1 other embeddings of the
 * batch, by a softmax over cosine similarities divided by the temperature.
 */
import * as tf from "@tensorflow/tfjs-core";
import { l2normalize } from "./normalize";

export interface NtXentInputs {
  /** Projections of the first views, [N, d]. */
  z1: tf.Tensor2D;
  /** Projections of the second views, [N, d]; row i is the positive of z1's row i. */
  z2: tf.Tensor2D;
}

export interface NtXentParams {
  temperature: number;
}

export function ntxent({ z1, z2 }: NtXentInputs, { temperature }: NtXentParams): tf.Scalar {
  return tf.tidy(() => {
    const n = z1.shape[0];
    const z = l2normalize(tf.concat([z1, z2], 0));
    const logits = tf.div(tf.matMul(z, z, false, true), temperature);
    // A sample is not its own negative: push the diagonal far below every real logit.
    const selfMask = tf.mul(tf.eye(2 * n), 1e9);
    const masked = tf.sub(logits, selfMask);
    const positives = tf.concat([tf.range(n, 2 * n, 1, "int32"), tf.range(0, n, 1, "int32")]);
    const logProb = tf.logSoftmax(masked, 1);
    const picked = tf.sum(tf.mul(logProb, tf.oneHot(positives, 2 * n)), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}
