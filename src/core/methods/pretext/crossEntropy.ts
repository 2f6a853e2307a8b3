import * as tf from "@tensorflow/tfjs-core";

/**
 * Cross-entropy of logits [..., K] against target distributions [..., K]
 * (one-hot labels or soft targets), summed over K and averaged over every
 * other axis: the loss of the pretext tasks (RotNet, Jigsaw, Colorization).
 */
export function softCrossEntropy(logits: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
}
