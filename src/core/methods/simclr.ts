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

/** Projections of both views, [2N, d]: the first N rows are view 1, the rest view 2. */
export function simclrEmbed(model: SslModel, v1: tf.Tensor4D, v2: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D {
  return model.head.apply(model.backbone.apply(tf.concat([v1, v2], 0), ctx), ctx);
}

export function simclrObjective(z1: tf.Tensor2D, z2: tf.Tensor2D, config: Experiment): tf.Scalar {
  return ntxent({ z1, z2 }, { temperature: config.simclr.temperature });
}

export function simclrLoss(model: SslModel, views: tf.Tensor4D[], ctx: ForwardContext, config: Experiment): tf.Scalar {
  const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
  const [z1, z2] = tf.split(simclrEmbed(model, v1, v2, ctx), 2, 0) as [tf.Tensor2D, tf.Tensor2D];
  return simclrObjective(z1, z2, config);
}
