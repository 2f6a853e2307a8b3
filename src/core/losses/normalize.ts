import * as tf from "@tensorflow/tfjs-core";

/** Row-wise L2 normalisation with PyTorch's F.normalize guard (eps 1e-12). */
export function l2normalize(x: tf.Tensor2D, eps = 1e-12): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.maximum(tf.norm(x, "euclidean", 1, true), eps);
    return tf.div(x, norm) as tf.Tensor2D;
  });
}

/** Mean over rows of the cosine similarity of a_i and b_i. */
export function meanCosine(a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(l2normalize(a), l2normalize(b)), 1)) as tf.Scalar);
}
