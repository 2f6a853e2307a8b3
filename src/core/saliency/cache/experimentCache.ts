/**
 * The cache an experiment file names and the images it covers: the training
 * split, decoded by the same loader training uses (so the pixel hashes match
 * at lookup), with the source file of each image for image-folder datasets.
 */
import * as path from "node:path";
import type { LoadedExperiment } from "../../config/load";
import { saliencyParams, type SaliencyParams } from "../../config/saliencySchema";
import type { ImageDataset, SkippedFile } from "../../data/dataset";
import { listImageFolder } from "../../data/imageFolder";
import { loadDataset, type LoadOptions } from "../../data/load";

export interface ExperimentCache {
  /** Absolute cache folder: config.saliency.cache.dir, relative to the experiment file. */
  dir: string;
  params: SaliencyParams;
}

export function experimentCache(experiment: LoadedExperiment): ExperimentCache {
  const { saliency } = experiment.config;
  return { dir: path.resolve(path.dirname(experiment.file), saliency.cache.dir), params: saliencyParams(saliency) };
}

export interface CacheImages {
  dataset: ImageDataset;
  /** Source file of each image (image folders only). */
  files?: string[];
  /** Files the loader could not read (they are not in the dataset, so not in the cache either). */
  skipped: SkippedFile[];
}

export async function loadCacheImages(experiment: LoadedExperiment, options: LoadOptions = {}): Promise<CacheImages> {
  const dir = path.dirname(experiment.file);
  const data = await loadDataset(experiment.config, dir, options);
  const d = experiment.config.dataset;
  if (d.format !== "folder") return { dataset: data.train, skipped: data.skipped };
  // The loader keeps, in listing order, the first `count` files that decode: the listing without the skipped files.
  const skipped = new Set(data.skipped.map((s) => s.file));
  const { order } = await listImageFolder(path.resolve(dir, d.train));
  const files = order.map((c) => c.file).filter((f) => !skipped.has(f)).slice(0, data.train.count);
  return { dataset: data.train, files: files.length === data.train.count ? files : undefined, skipped: data.skipped };
}
