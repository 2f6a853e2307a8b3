/**
 * SimSiam's loss (Chen & He 2021): the predictor's output for each view must
 * match the projection of the other view by negative cosine similarity,
 * symmetrised (-½ per direction) and averaged over the batch. The projection
 * targets are detached; this stop-gradient alone is what prevents collapse
 * without negatives or a momentum encoder.
 */
import * as tf from "@tensorflow/tfjs-core";
import { meanCosine } from "./normalize";
import { stopGradient } from "./stopGradient";

export interface SimSiamInputs {
  /** Predictions of the first views, [N, d]. */
  p1: tf.Tensor2D;
  /** Predictions of the second views, [N, d]. */
  p2: tf.Tensor2D;
  /** Projections of the first views, [N, d]; stop-gradient. */
  z1: tf.Tensor2D;
  /** Projections of the second views, [N, d]; stop-gradient. */
  z2: tf.Tensor2D;
}

/** SimSiam's loss has no parameters. */
export type SimSiamParams = Record<string, never>;

export function simsiam({ p1, p2, z1, z2 }: SimSiamInputs, _params: SimSiamParams = {}): tf.Scalar {
  return tf.tidy(() => {
    const sum = tf.add(meanCosine(p1, stopGradient(z2)), meanCosine(p2, stopGradient(z1)));
    return tf.mul(sum, -0.5) as tf.Scalar;
  });
}
