/** SimCLR's projection head: Linear → ReLU → Linear. The loss sees its output; evaluation does not. */
import * as tf from "@tensorflow/tfjs-core";
import { ParamBuilder, dense } from "./layers";
import type { Network } from "./network";

export function projector(b: ParamBuilder, prefix: string, inDim: number, hidden: number, out: number): Network {
  const fc1 = b.dense(`${prefix}.fc1`, inDim, hidden);
  const fc2 = b.dense(`${prefix}.fc2`, hidden, out);
  return {
    outDim: out,
    apply(x) {
      return dense(tf.relu(dense(x as tf.Tensor2D, fc1)) as tf.Tensor2D, fc2);
    },
  };
}
