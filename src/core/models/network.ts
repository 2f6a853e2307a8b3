import type * as tf from "@tensorflow/tfjs-core";
import type { ForwardContext } from "./layers";

/** A network as a function of its input; its variables live in a ParamBuilder. */
export interface Network {
  /** Size of the output vector per image. */
  outDim: number;
  apply(x: tf.Tensor, ctx: ForwardContext): tf.Tensor2D;
}
