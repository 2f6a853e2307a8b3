/**
 * BYOL's loss (Grill et al. 2020): the online network's prediction of each
 * view must point in the same direction as the target (momentum) network's
 * projection of the other view, 2 - 2·cos, summed over both directions and
 * averaged over the batch. The target projections get no gradient: they move
 * only through the momentum update.
 */
import * as tf from "@tensorflow/tfjs-core";
import { meanCosine } from "./normalize";
import { stopGradient } from "./stopGradient";

export interface ByolInputs {
  /** Online predictions of the first views, [N, d]. */
  p1: tf.Tensor2D;
  /** Online predictions of the second views, [N, d]. */
  p2: tf.Tensor2D;
  /** Target projections of the first views, [N, d]; stop-gradient. */
  t1: tf.Tensor2D;
  /** Target projections of the second views, [N, d]; stop-gradient. */
  t2: tf.Tensor2D;
}

/** BYOL's loss has no parameters (the momentum belongs to the target update). */
export type ByolParams = Record<string, never>;

/** Mean over the batch of 2 - 2·cos(a_i, b_i). */
const regression = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Scalar => tf.sub(2, tf.mul(2, meanCosine(a, b))) as tf.Scalar;

export function byol({ p1, p2, t1, t2 }: ByolInputs, _params: ByolParams = {}): tf.Scalar {
  return tf.tidy(() =>
    tf.add(regression(p1, stopGradient(t2)), regression(p2, stopGradient(t1))) as tf.Scalar,
  );
}
