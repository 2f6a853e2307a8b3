/**
 * Frozen features after every backbone stage, for probing several layers:
 * SSL features often peak before the last layer (Goyal et al. 2019, "Scaling
 * and Benchmarking Self-Supervised Visual Representation Learning").
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { ImageDataset } from "../data/dataset";
import type { Backbone } from "../models/network";
import { evalContext, mapImageBatches } from "./features";

/**
 * Globally average-pooled features [count, d_s] of every image of `data` after
 * each stage, in `backbone.stageNames` order (evaluation mode, no
 * augmentation). The last one equals `extractFeatures(backbone, data, size)`.
 * The caller disposes the returned tensors.
 */
export function extractStageFeatures(backbone: Backbone, data: ImageDataset, size: number, batch = 256): tf.Tensor2D[] {
  const ctx = evalContext();
  return mapImageBatches(data, size, batch, (x) => backbone.stages(x, ctx));
}
