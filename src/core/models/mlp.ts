/**
 * The MLP heads of SSL methods: Linear layers with ReLU between them and,
 * for the methods that need it (BYOL, SimSiam, Barlow Twins, VICReg, SwAV),
 * BatchNorm before each ReLU. SimCLR's projection head is the plain
 * two-layer case.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchNorm } from "./batchNorm";
import { ParamBuilder, dense, gelu, type BatchNormVars, type DenseVars } from "./layers";
import type { Network } from "./network";

export interface MlpOptions {
  /** BatchNorm after every hidden Linear (before its ReLU). */
  batchNorm?: boolean;
  /** BatchNorm after the last Linear too (SimSiam's projector). */
  lastBatchNorm?: boolean;
  /** Between layers (DINO's head: gelu). */
  activation?: "relu" | "gelu";
}

/** `dims` = [input, hidden..., output]; layers are named <prefix>.fc1, <prefix>.bn1, ... */
export function mlp(b: ParamBuilder, prefix: string, dims: number[], opts: MlpOptions = {}): Network {
  const layers: { fc: DenseVars; bn?: BatchNormVars }[] = [];
  for (let i = 1; i < dims.length; i++) {
    const last = i === dims.length - 1;
    const fc = b.dense(`${prefix}.fc${i}`, dims[i - 1]!, dims[i]!);
    const bn = (last ? opts.lastBatchNorm : opts.batchNorm) ? b.batchNorm(`${prefix}.bn${i}`, dims[i]!) : undefined;
    layers.push({ fc, bn });
  }
  const act = opts.activation === "gelu" ? gelu : (x: tf.Tensor2D) => tf.relu(x);
  return {
    outDim: dims[dims.length - 1]!,
    apply(x, ctx) {
      let h = x as tf.Tensor2D;
      layers.forEach(({ fc, bn }, i) => {
        h = dense(h, fc);
        if (bn) h = batchNorm(h, bn, ctx) as tf.Tensor2D;
        if (i < layers.length - 1) h = act(h);
      });
      return h;
    },
  };
}
