/**
 * Barlow Twins (Zbontar et al. 2021): the cross-correlation matrix between the
 * two views' embeddings, each standardised per dimension over the batch, must
 * be the identity: diagonal terms pulled to 1 (invariance), off-diagonal terms
 * pushed to 0 with weight lambda (redundancy reduction).
 */
import * as tf from "@tensorflow/tfjs-core";

export interface BarlowTwinsInputs {
  /** Projections of the first views, [N, D]. */
  z1: tf.Tensor2D;
  /** Projections of the second views, [N, D]; row i is the other view of z1's row i. */
  z2: tf.Tensor2D;
}

export interface BarlowTwinsParams {
  /** Weight of the off-diagonal (redundancy) terms; 0.0051 in the paper. */
  lambda: number;
}

/**
 * Per-dimension standardisation over the batch, as BatchNorm1d(affine=False)
 * in training mode: biased variance, eps 1e-5 inside the square root.
 */
function standardise(z: tf.Tensor2D, eps = 1e-5): tf.Tensor2D {
  const { mean, variance } = tf.moments(z, 0, true);
  return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor2D;
}

export function barlowtwins({ z1, z2 }: BarlowTwinsInputs, { lambda }: BarlowTwinsParams): tf.Scalar {
  return tf.tidy(() => {
    const [n, d] = z1.shape;
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), n); // [D, D]
    const eye = tf.eye(d);
    const diag = tf.sum(tf.mul(c, eye), 1);
    const onDiag = tf.sum(tf.square(tf.sub(1, diag)));
    const offDiag = tf.sum(tf.square(tf.mul(c, tf.sub(1, eye))));
    return tf.add(onDiag, tf.mul(lambda, offDiag)) as tf.Scalar;
  });
}
