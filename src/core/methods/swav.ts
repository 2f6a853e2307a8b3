/**
 * SwAV (Caron et al. 2020): embeddings are scored against learnable
 * prototypes; Sinkhorn-Knopp turns the scores of each global crop into
 * balanced cluster codes, and every other crop must predict them (swapped
 * prediction). Multi-crop: the first two views are the global crops, any
 * further views are small local crops that only predict. The prototypes stay
 * fixed for the first epoch(s), which the paper found necessary to converge.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { swavMultiCrop } from "../losses/swav";
import { mlp } from "../models/mlp";
import type { ForwardContext } from "../models/layers";
import { applyToViews } from "./applyToViews";
import type { MethodFactory } from "./method";

export const PROTOTYPES = "swav.prototypes";

export const swav: MethodFactory = ({ config, backbone, vars }) => {
  const { projectorHidden, projectorOut } = config.model;
  const { prototypes: k, freezePrototypesEpochs, ...params } = config.swav;
  const projector = mlp(vars, "head", [backbone.outDim, projectorHidden, projectorOut], { batchNorm: true });
  const prototypes = vars.normal(PROTOTYPES, [k, projectorOut], false);
  const embed = (x: tf.Tensor4D, ctx: ForwardContext) => projector.apply(backbone.apply(x, ctx), ctx);
  return {
    embed,
    forward(views, ctx) {
      return Object.fromEntries(applyToViews((x) => embed(x, ctx), views).map((z, i) => [`z${i + 1}`, z]));
    },
    objective(outputs) {
      const crops = Object.keys(outputs)
        .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
        .map((key) => outputs[key] as tf.Tensor2D);
      return swavMultiCrop({ crops, prototypes: prototypes as tf.Tensor2D }, params);
    },
    frozen: (progress) => (name) => name === PROTOTYPES && progress.epoch < freezePrototypesEpochs,
  };
};
