/**
 * The SelfAugment label-free proxy (Reed et al. 2021, "SelfAugment: Automatic
 * Augmentation Policies for Self-Supervised Learning"): how well a linear
 * classifier on frozen features tells apart an image rotated by 0, 90, 180 and
 * 270 degrees. It needs no labels, and it ranks SSL models much as the linear
 * probe does (Spearman rho 0.97 with linear accuracy on CIFAR-10 in the paper).
 *
 * The images are split (seeded) into a part the 4-way classifier is trained
 * on, a validation part that picks its learning rate, and a held-out part it
 * is scored on; all four rotations of an image fall in the same part. The
 * classifier is the linear probe's (selectLinearClassifier).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ImageDataset } from "../data/dataset";
import type { Network } from "../models/network";
import { Rng } from "../random";
import { evalContext, mapImageBatches } from "./features";
import { heldOutSplit } from "./labelFraction";
import { readFeatures, selectLinearClassifier, selectRows, standardize, type FeatureMatrix, type LinearTrainOptions } from "./linearProbe";

export const ROTATIONS = 4;

/**
 * Images [n, h, w, c] rotated counter-clockwise by `quarterTurns` * 90 degrees
 * (as numpy's rot90 over axes 1 and 2); h and w swap on odd turns.
 */
export function rotate90(x: tf.Tensor4D, quarterTurns: number): tf.Tensor4D {
  const k = ((quarterTurns % 4) + 4) % 4;
  return tf.tidy(() => {
    if (k === 0) return tf.clone(x);
    if (k === 2) return tf.reverse(x, [1, 2]);
    const t = tf.transpose(x, [0, 2, 1, 3]);
    return tf.reverse(t, k === 1 ? 1 : 2);
  });
}

export interface RotationProbeOptions extends Omit<LinearTrainOptions, "numClasses" | "seed"> {
  /** The network's input size (images are resized to size x size). */
  size: number;
  seed: number;
  /** Share of the images the classifier is scored on, default 0.25. */
  testFraction?: number;
  /** Share of the remaining images that picks the learning rate, default 0.1. */
  valFraction?: number;
  /** Use at most this many images (a seeded random subset): the probe runs 4 forward passes per image. */
  maxImages?: number;
  /** Images per forward pass (each is run 4 times), default 128. */
  batch?: number;
}

export interface RotationProbeResult {
  /** 4-way rotation accuracy on the held-out images (chance: 0.25). */
  accuracy: number;
  lr: number;
  valAccuracy: number;
  trainImages: number;
  testImages: number;
}

/** The images `indices` of `data` (ascending indices keep dataset order). */
function subsetImages(data: ImageDataset, indices: Int32Array): ImageDataset {
  const per = data.height * data.width * data.channels;
  const pixels = new Uint8Array(indices.length * per);
  indices.forEach((src, i) => pixels.set(data.pixels.subarray(src * per, (src + 1) * per), i * per));
  return { source: data.source, height: data.height, width: data.width, channels: data.channels, count: indices.length, pixels };
}

/** Rows of the rotated-feature matrix (rotation r of image i is row r*n + i) for some images, with their rotation labels. */
function rotatedSet(n: number, images: Int32Array): { rows: Int32Array; labels: Int32Array } {
  const rows = new Int32Array(images.length * ROTATIONS);
  const labels = new Int32Array(images.length * ROTATIONS);
  for (let r = 0; r < ROTATIONS; r++)
    images.forEach((i, j) => {
      rows[r * images.length + j] = r * n + i;
      labels[r * images.length + j] = r;
    });
  return { rows, labels };
}

/** Frozen features of every image under each rotation, as one matrix [4n, d] (rotation-major). */
async function rotatedFeatures(network: Network, data: ImageDataset, size: number, batch: number): Promise<FeatureMatrix> {
  const ctx = evalContext();
  const perRotation = mapImageBatches(data, size, batch, (x) =>
    Array.from({ length: ROTATIONS }, (_, r) => tf.tidy(() => network.apply(rotate90(x, r), ctx))),
  );
  try {
    const parts = await Promise.all(perRotation.map(readFeatures));
    const { rows, cols } = parts[0]!;
    const values = new Float32Array(ROTATIONS * rows * cols);
    parts.forEach((p, r) => values.set(p.values, r * rows * cols));
    return { values, rows: ROTATIONS * rows, cols };
  } finally {
    for (const t of perRotation) t.dispose();
  }
}

/** Linear 4-way rotation accuracy of `network`'s frozen features on held-out images of `data` (labels unused). */
export async function rotationProbe(network: Network, data: ImageDataset, options: RotationProbeOptions): Promise<RotationProbeResult> {
  const { size, seed, testFraction = 0.25, valFraction = 0.1, maxImages, batch = 128, ...train } = options;
  let images = data;
  if (maxImages !== undefined && maxImages < data.count) {
    const chosen = Rng.derive(seed, "rotationImages").permutation(data.count).subarray(0, maxImages).sort();
    images = subsetImages(data, chosen);
  }
  const n = images.count;
  const outer = heldOutSplit(new Int32Array(n), testFraction, seed);
  const inner = heldOutSplit(new Int32Array(outer.train.length), valFraction, Rng.derive(seed, "rotationVal").int(2 ** 31));
  const fitImages = inner.train.map((j) => outer.train[j]!);
  const valImages = inner.heldOut.map((j) => outer.train[j]!);
  if (fitImages.length === 0 || valImages.length === 0 || outer.heldOut.length === 0)
    throw new Error(`rotation probe: ${n} images are too few to split into train, validation and test parts`);

  const features = await rotatedFeatures(network, images, size, batch);
  const [fit, val, test] = [fitImages, valImages, outer.heldOut].map((imgs) => {
    const { rows, labels } = rotatedSet(n, imgs);
    return { features: selectRows(features, rows), labels };
  });
  const [fitX, valX, testX] = standardize(fit!.features, fit!.features, val!.features, test!.features);
  const sel = selectLinearClassifier(
    { features: fitX!, labels: fit!.labels },
    { features: valX!, labels: val!.labels },
    { features: testX!, labels: test!.labels },
    { ...train, numClasses: ROTATIONS, seed },
  );
  return { accuracy: sel.testAccuracy, lr: sel.lr, valAccuracy: sel.valAccuracy, trainImages: fitImages.length, testImages: outer.heldOut.length };
}
