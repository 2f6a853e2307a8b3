import type * as tf from "@tensorflow/tfjs-core";
import { globalAvgPool, type ForwardContext } from "./layers";

/** A network as a function of its input; its variables live in a ParamBuilder. */
export interface Network {
  /** Size of the output vector per image. */
  outDim: number;
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D;
}

/**
 * A backbone also exposes its intermediate stages, because SSL features often
 * peak before the last layer (Goyal et al. 2019) and probes compare them.
 */
export interface Backbone extends Network {
  /** Stage names, e.g. ["layer1", "layer2", "layer3", "layer4"]; the last stage is `apply`'s output. */
  stageNames: string[];
  /** Globally average-pooled features after each stage, in `stageNames` order. */
  stages(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D[];
  /**
   * The last stage's features before pooling, [N, h, w, outDim] (stride 8 in
   * the convnet and the small-image ResNet-18): what dense heads read
   * (colorization). `apply` is its global average. Absent in backbones
   * without a spatial map.
   */
  featureMap?(x: tf.Tensor, ctx: ForwardContext): tf.Tensor4D;
}

/**
 * The same backbone (same variables) on transformed input: colorization's
 * network sees only the lightness of the images it is given, in training and
 * in evaluation alike.
 */
export function withInput(net: Backbone, transform: (x: tf.Tensor) => tf.Tensor): Backbone {
  const { featureMap } = net;
  return {
    ...net,
    apply: (x, ctx) => net.apply(transform(x), ctx),
    stages: (x, ctx) => net.stages(transform(x), ctx),
    featureMap: featureMap && ((x, ctx) => featureMap.call(net, transform(x), ctx)),
  };
}

/**
 * A convolutional backbone from its forward pass, which returns the last
 * feature map and, given `pooled`, pushes each stage's pooled features to it.
 */
export function convBackbone(
  outDim: number,
  stageNames: string[],
  forward: (x: tf.Tensor, ctx: ForwardContext, pooled?: tf.Tensor2D[]) => tf.Tensor4D,
): Backbone {
  return {
    outDim,
    stageNames,
    apply: (x, ctx) => globalAvgPool(forward(x, ctx)),
    featureMap: (x, ctx) => forward(x, ctx),
    stages(x, ctx) {
      const pooled: tf.Tensor2D[] = [];
      forward(x, ctx, pooled);
      return pooled;
    },
  };
}
