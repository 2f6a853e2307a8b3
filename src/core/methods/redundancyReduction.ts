/**
 * Barlow Twins (Zbontar et al. 2021) and VICReg (Bardes et al. 2022): both
 * embed two views with a BatchNorm MLP projector and regularise the
 * statistics of the batch of embeddings instead of contrasting samples; they
 * differ only in the loss.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { barlowtwins as barlowLoss, vicreg as vicregLoss } from "../losses";
import { mlp } from "../models/mlp";
import type { ForwardContext } from "../models/layers";
import { applyToViews } from "./applyToViews";
import type { MethodContext, MethodFactory, SslMethod } from "./method";

function twoViewProjector({ config, backbone, vars }: MethodContext, loss: (z1: tf.Tensor2D, z2: tf.Tensor2D) => tf.Scalar): SslMethod {
  const { projectorHidden, projectorOut } = config.model;
  const projector = mlp(vars, "head", [backbone.outDim, projectorHidden, projectorHidden, projectorOut], { batchNorm: true });
  const embed = (x: tf.Tensor4D, ctx: ForwardContext) => projector.apply(backbone.apply(x, ctx), ctx);
  return {
    embed,
    forward(views, ctx) {
      const [z1, z2] = applyToViews((x) => embed(x, ctx), views);
      return { z1: z1!, z2: z2! };
    },
    objective: ({ z1, z2 }) => loss(z1 as tf.Tensor2D, z2 as tf.Tensor2D),
  };
}

export const barlowtwins: MethodFactory = (ctx) => twoViewProjector(ctx, (z1, z2) => barlowLoss({ z1, z2 }, ctx.config.barlowtwins));

export const vicreg: MethodFactory = (ctx) => twoViewProjector(ctx, (z1, z2) => vicregLoss({ z1, z2 }, ctx.config.vicreg));
