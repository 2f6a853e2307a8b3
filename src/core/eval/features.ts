/** Backbone features of a whole dataset (evaluation mode: running BatchNorm statistics, no augmentation). */
import * as tf from "@tensorflow/tfjs-core";
import type { ImageDataset } from "../data/dataset";
import type { ForwardContext } from "../models/layers";
import type { Network } from "../models/network";

/** Un-augmented images [i, i+n) as float32 in [0, 1], resized to the network's input size. */
export function imageBatch(data: ImageDataset, start: number, count: number, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { height: h, width: w, channels: c } = data;
    const bytes = data.pixels.subarray(start * h * w * c, (start + count) * h * w * c);
    const x = tf.div(tf.tensor4d(bytes, [count, h, w, c], "float32"), 255) as tf.Tensor4D;
    return h === size && w === size ? x : tf.image.resizeBilinear(x, [size, size], false, true);
  });
}

/** Evaluation mode: BatchNorm uses its running statistics and records no updates. */
export function evalContext(): ForwardContext {
  return { training: false, updates: [] };
}

/**
 * The one loop over a dataset that every frozen-feature extractor shares:
 * `forward` maps a batch of un-augmented images [n, size, size, c] to k
 * feature matrices [n, d_j] (the same k for every batch); the result is those
 * k matrices over the whole dataset, rows in dataset order. The caller owns
 * (and disposes) the returned tensors; intermediate tensors are freed.
 */
export function mapImageBatches(
  data: ImageDataset,
  size: number,
  batch: number,
  forward: (x: tf.Tensor4D) => tf.Tensor2D[],
): tf.Tensor2D[] {
  if (data.count <= 0) throw new Error(`cannot extract features from ${data.source}: it holds no images`);
  if (!(batch >= 1)) throw new RangeError(`feature batch must be >= 1, got ${batch}`);
  const parts: tf.Tensor2D[][] = [];
  try {
    for (let start = 0; start < data.count; start += batch) {
      const n = Math.min(batch, data.count - start);
      parts.push(tf.tidy(() => forward(imageBatch(data, start, n, size))));
    }
    const outputs = parts[0]!.length;
    return tf.tidy(() => Array.from({ length: outputs }, (_, j) => tf.concat(parts.map((p) => p[j]!), 0)));
  } finally {
    for (const p of parts) for (const t of p) t.dispose();
  }
}

/** Output features [count, outDim] of `network` for every image of `data`. */
export function extractFeatures(backbone: Network, data: ImageDataset, size: number, batch = 256): tf.Tensor2D {
  const ctx = evalContext();
  return mapImageBatches(data, size, batch, (x) => [backbone.apply(x, ctx)])[0]!;
}
