/**
 * SimSiam (Chen & He 2021): one network, a predictor on one branch and a
 * stop-gradient on the other (inside the loss); no negatives and no EMA.
 * The projector ends in BatchNorm, as in the paper.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { simsiam as simsiamLoss } from "../losses";
import { mlp } from "../models/mlp";
import type { ForwardContext } from "../models/layers";
import { applyToViews } from "./applyToViews";
import type { MethodFactory } from "./method";

export const simsiam: MethodFactory = ({ config, backbone, vars }) => {
  const out = config.model.projectorOut;
  const projector = mlp(vars, "head", [backbone.outDim, config.model.projectorHidden, out], { batchNorm: true, lastBatchNorm: true });
  const predictor = mlp(vars, "predictor", [out, config.simsiam.predictorHidden, out], { batchNorm: true });
  const embed = (x: tf.Tensor4D, ctx: ForwardContext) => projector.apply(backbone.apply(x, ctx), ctx);
  return {
    embed,
    forward(views, ctx) {
      const [z1, z2] = applyToViews((x) => embed(x, ctx), views);
      return { z1: z1!, z2: z2!, p1: predictor.apply(z1!, ctx), p2: predictor.apply(z2!, ctx) };
    },
    objective: (o) => simsiamLoss(o as Record<"p1" | "p2" | "z1" | "z2", tf.Tensor2D>, {}),
  };
};
