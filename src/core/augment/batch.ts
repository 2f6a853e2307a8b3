/** Every view of a batch of dataset images: what training feeds the network and what the preview shows. */
import * as tf from "@tensorflow/tfjs-core";
import type { ImageDataset } from "../data/dataset";
import { applyView, type ApplyOptions } from "./apply";
import { sampleViewPlans, type ViewPlan } from "./sample";
import type { ViewInstance } from "./views";

/** Images [i for i in indices] as float32 [n,H,W,C] in [0, 1]. */
export function gatherImages(data: ImageDataset, indices: ArrayLike<number>): tf.Tensor4D {
  const per = data.height * data.width * data.channels;
  const bytes = new Uint8Array(indices.length * per);
  Array.from(indices).forEach((idx, b) => bytes.set(data.pixels.subarray(idx * per, (idx + 1) * per), b * per));
  return tf.tidy(() => tf.div(tf.tensor4d(bytes, [indices.length, data.height, data.width, data.channels], "float32"), 255) as tf.Tensor4D);
}

export interface BatchViews {
  /** One tensor per view instance, [n,size,size,C]. */
  views: tf.Tensor4D[];
  /** plans[v][b]: what view v did to image b. */
  plans: ViewPlan[][];
}

export function augmentBatch(
  data: ImageDataset,
  indices: ArrayLike<number>,
  draw: { seed: number; epoch: number; epochs: number },
  views: readonly ViewInstance[],
  options: ApplyOptions = {},
): BatchViews {
  const ctx = { ...draw, srcHeight: data.height, srcWidth: data.width };
  const plans = views.map((view) => sampleViewPlans(view, indices, ctx));
  const out = tf.tidy(() => {
    const images = gatherImages(data, indices);
    return views.map((view, v) => applyView(images, view, plans[v]!, options));
  });
  return { views: out, plans };
}
