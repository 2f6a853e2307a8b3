/** Backbone features of a whole dataset (evaluation mode: running BatchNorm statistics, no augmentation). */
import * as tf from "@tensorflow/tfjs-core";
import type { ImageDataset } from "../data/dataset";
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

export function extractFeatures(backbone: Network, data: ImageDataset, size: number, batch = 256): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < data.count; start += batch) {
      const n = Math.min(batch, data.count - start);
      parts.push(tf.tidy(() => backbone.apply(imageBatch(data, start, n, size), { training: false, updates: [] })));
    }
    return tf.concat(parts, 0);
  } finally {
    for (const p of parts) p.dispose();
  }
}
