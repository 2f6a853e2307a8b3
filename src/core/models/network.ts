import type * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext } from "./layers";

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
}
