/**
 * The augmentation preview's pixels: a few training images through the
 * experiment's policy, with the very augmentBatch call training makes, so a
 * preview of (seed, epoch) shows exactly what training with that seed feeds
 * the network in that epoch (before a trailing normalize). Raw pixels only:
 * PNG encoding and grid layout are elsewhere (png.ts, previewGrid.ts).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ViewSpec } from "../config/augmentSchema";
import type { Experiment } from "../config/schema";
import type { ImageDataset } from "../data/dataset";
import { Rng } from "../random";
import type { ApplyOptions } from "./apply";
import { augmentBatch } from "./batch";
import type { OpDraw } from "./sample";
import { policyViews, viewInstances } from "./views";

/**
 * Which training images to show: `count` distinct indices in [0, datasetCount),
 * ascending. A partial Fisher-Yates over a virtual 0..n-1 (only swapped slots
 * stored), so a million-image dataset costs nothing, and raising `count` keeps
 * the images already shown and adds more.
 */
export function previewIndices(seed: number, datasetCount: number, count: number): number[] {
  const n = Math.max(0, Math.floor(datasetCount));
  const k = Math.min(n, Math.max(0, Math.floor(count)));
  const rng = Rng.derive(seed, "preview");
  const swapped = new Map<number, number>();
  const at = (i: number) => swapped.get(i) ?? i;
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const picked = at(j);
    swapped.set(j, at(i));
    out.push(picked);
  }
  return out.sort((a, b) => a - b);
}

/** A raw image: HWC row-major bytes. */
export interface Tile {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

export interface PreviewViewPixels {
  /** "view 1", "global 2", ... */
  label: string;
  /** The view as training's tensor holds it: float32 [size,size,C] in [0, 1]. */
  values: Float32Array;
  /** round(values * 255): what the PNG holds. */
  tile: Tile;
  /** Ops that fired, in order, with the parameters drawn. */
  trace: OpDraw[];
}

export interface PreviewImagePixels {
  /** Index in the training split. */
  index: number;
  /** The dataset image as decoded (native size for IDX/CIFAR, imageSize for folders). */
  original: Tile;
  views: PreviewViewPixels[];
}

export interface PreviewPixels {
  images: PreviewImagePixels[];
  /** The resolved view kinds (explicit, defaults filled): what the preview's controls edit. */
  views: ViewSpec[];
}

export interface PreviewOptions {
  /** Seed of the draws and of which images are shown (the config's seed shows what training sees). */
  seed: number;
  count: number;
  epoch: number;
  /** Replaces the policy's views (an unsaved draft); must already be valid. */
  views?: ViewSpec[];
  /** SaliencyCut region maps of the shown images, when the policy has the saliencyCut op. */
  regionMap?: ApplyOptions["regionMap"];
}

/** Float [0, 1] → bytes, as the PNG stores them. Clamped so a kernel's rounding error cannot wrap. */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(values[i]! * 255)));
  return out;
}

/** The dataset image at `index`, copied out. */
export function datasetTile(data: ImageDataset, index: number): Tile {
  const per = data.height * data.width * data.channels;
  return { width: data.width, height: data.height, channels: data.channels, pixels: data.pixels.slice(index * per, (index + 1) * per) };
}

/**
 * Renders the preview on the active tfjs backend: previewIndices(seed,
 * data.count, count) through the policy (or `views`). Only the images at those
 * indices are read from `data`, so a caller may pass a dataset with just those
 * filled in (previewData.ts).
 */
export function renderPreview(data: ImageDataset, config: Experiment, options: PreviewOptions): PreviewPixels {
  const policy = options.views ? { ...config, augment: { views: options.views } } : config;
  const instances = viewInstances(policy);
  const indices = previewIndices(options.seed, data.count, options.count);
  if (indices.length === 0) return { images: [], views: policyViews(policy.augment, policy.method) };
  const draw = { seed: options.seed, epoch: options.epoch, epochs: config.train.epochs };
  const batch = augmentBatch(data, Int32Array.from(indices), draw, instances, { normalize: false, regionMap: options.regionMap });
  try {
    const values = batch.views.map((t) => t.dataSync() as Float32Array);
    const images = indices.map((index, b) => ({
      index,
      original: datasetTile(data, index),
      views: instances.map((view, v) => {
        const per = view.size * view.size * data.channels;
        const own = values[v]!.slice(b * per, (b + 1) * per);
        return {
          label: view.label,
          values: own,
          tile: { width: view.size, height: view.size, channels: data.channels, pixels: toBytes(own) },
          trace: batch.plans[v]![b]!.draws.filter((d): d is OpDraw => d !== null),
        };
      }),
    }));
    return { images, views: policyViews(policy.augment, policy.method) };
  } finally {
    tf.dispose(batch.views);
  }
}
