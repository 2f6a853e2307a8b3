/**
 * The cache an experiment file names and the images it covers: the training
 * split, decoded by the same loader training uses (so the pixel hashes match
 * at lookup), with the source file of each image for image-folder datasets.
 */
import * as path from "node:path";
import type { LoadedExperiment } from "../../config/load";
import { saliencyParams, type SaliencyParams } from "../../config/saliencySchema";
import type { ImageDataset, SkippedFile } from "../../data/dataset";
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
  const data = await loadDataset(experiment.config, path.dirname(experiment.file), options);
  return { dataset: data.train, files: data.train.files, skipped: data.skipped };
}
