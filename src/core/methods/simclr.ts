/**
 * SimCLR (Chen et al. 2020): two augmented views of each image go through the
 * backbone and the projection head together (BatchNorm sees all 2N views),
 * and NT-Xent pulls each pair together against the rest of the batch.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../config/schema";
import type { ForwardContext } from "../models/layers";
import type { SslModel } from "../models/build";
import { ntxent } from "../losses/ntxent";

export const SIMCLR_VIEWS = 2;

export function simclrLoss(model: SslModel, views: tf.Tensor4D[], ctx: ForwardContext, config: Experiment): tf.Scalar {
  const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
  const z = model.head.apply(model.backbone.apply(tf.concat([v1, v2], 0), ctx), ctx);
  const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  return ntxent({ z1, z2 }, { temperature: config.simclr.temperature });
}
