/**
 * SimCLR (Chen et al. 2020): two augmented views of each image go through the
 * backbone and the projection head together (BatchNorm sees all 2N views),
 * and NT-Xent pulls each pair together against the rest of the batch.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { mlp } from "../models/mlp";
import { ntxent } from "../losses/ntxent";
import { applyToViews } from "./applyToViews";
import type { MethodFactory } from "./method";

export const simclr: MethodFactory = ({ config, backbone, vars }) => {
  const head = mlp(vars, "head", [backbone.outDim, config.model.projectorHidden, config.model.projectorOut]);
  const embed = (x: tf.Tensor4D, ctx: Parameters<typeof head.apply>[1]) => head.apply(backbone.apply(x, ctx), ctx);
  return {
    embed,
    forward(views, ctx) {
      const [z1, z2] = applyToViews((x) => embed(x, ctx), views);
      return { z1: z1!, z2: z2! };
    },
    objective: ({ z1, z2 }) => ntxent({ z1: z1 as tf.Tensor2D, z2: z2 as tf.Tensor2D }, config.simclr),
  };
};
