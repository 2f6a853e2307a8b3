/**
 * VICReg (Bardes et al. 2022), as in the official code: invariance (mean
 * squared error between the two views' embeddings), variance (a hinge keeping
 * each dimension's standard deviation over the batch at least 1, so the
 * embeddings cannot collapse) and covariance (squared off-diagonal covariances
 * pushed to 0, so the dimensions carry different information).
 */
import * as tf from "@tensorflow/tfjs-core";

export interface VicRegInputs {
  /** Projections of the first views, [N, D]. */
  z1: tf.Tensor2D;
  /** Projections of the second views, [N, D]; row i is the other view of z1's row i. */
  z2: tf.Tensor2D;
}

export interface VicRegParams {
  /** Weight of the invariance term; 25 in the paper. */
  simCoeff: number;
  /** Weight of the variance term; 25 in the paper. */
  stdCoeff: number;
  /** Weight of the covariance term; 1 in the paper. */
  covCoeff: number;
}

/** Variance and covariance terms of one branch: mean(relu(1 - std)) and sum(offdiag(cov)²)/D, unbiased (N-1). */
function branchTerms(z: tf.Tensor2D): { std: tf.Scalar; cov: tf.Scalar } {
  const [n, d] = z.shape;
  const centred = tf.sub(z, tf.mean(z, 0, true));
  const cov = tf.div(tf.matMul(centred, centred, true, false), n - 1); // [D, D]
  const variance = tf.div(tf.sum(tf.square(centred), 0), n - 1);
  const std = tf.sqrt(tf.add(variance, 1e-4));
  const offDiag = tf.mul(cov, tf.sub(1, tf.eye(d)));
  return {
    std: tf.mean(tf.relu(tf.sub(1, std))) as tf.Scalar,
    cov: tf.div(tf.sum(tf.square(offDiag)), d) as tf.Scalar,
  };
}

export function vicreg({ z1, z2 }: VicRegInputs, { simCoeff, stdCoeff, covCoeff }: VicRegParams): tf.Scalar {
  return tf.tidy(() => {
    const invariance = tf.mean(tf.square(tf.sub(z1, z2)));
    const a = branchTerms(z1);
    const b = branchTerms(z2);
    const variance = tf.div(tf.add(a.std, b.std), 2);
    const covariance = tf.add(a.cov, b.cov);
    return tf.addN([tf.mul(simCoeff, invariance), tf.mul(stdCoeff, variance), tf.mul(covCoeff, covariance)]) as tf.Scalar;
  });
}
