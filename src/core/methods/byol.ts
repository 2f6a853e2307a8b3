/**
 * BYOL (Grill et al. 2020): the online network (backbone, projector,
 * predictor) predicts the target network's projection of the other view;
 * the target is an EMA of the online backbone and projector whose rate rises
 * from tau to 1 along a cosine. No negatives.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { byol as byolLoss } from "../losses";
import { mlp } from "../models/mlp";
import type { ForwardContext } from "../models/layers";
import { applyToViews } from "./applyToViews";
import { cosineMomentum, emaUpdate, initTargets, TARGET_PREFIX } from "./ema";
import type { MethodFactory } from "./method";

export const byol: MethodFactory = ({ config, backbone, vars, state, makeBackbone }) => {
  const out = config.model.projectorOut;
  const dims = [backbone.outDim, config.model.projectorHidden, out];
  const projector = mlp(vars, "head", dims, { batchNorm: true });
  const predictor = mlp(vars, "predictor", [out, config.byol.predictorHidden, out], { batchNorm: true });
  const targetBackbone = makeBackbone(state, `${TARGET_PREFIX}backbone`);
  const targetProjector = mlp(state, `${TARGET_PREFIX}head`, dims, { batchNorm: true });
  const pairs = initTargets(vars, state);

  const embed = (x: tf.Tensor4D, ctx: ForwardContext) => projector.apply(backbone.apply(x, ctx), ctx);
  return {
    embed,
    forward(views, ctx) {
      const [p1, p2] = applyToViews((x) => predictor.apply(embed(x, ctx), ctx), views);
      const [t1, t2] = applyToViews((x) => targetProjector.apply(targetBackbone.apply(x, ctx), ctx), views);
      return { p1: p1!, p2: p2!, t1: t1!, t2: t2! };
    },
    objective: (o) => byolLoss(o as Record<"p1" | "p2" | "t1" | "t2", tf.Tensor2D>, {}),
    afterStep: (_, progress) => emaUpdate(pairs, cosineMomentum(config.byol.tau, progress)),
  };
};
