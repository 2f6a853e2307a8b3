/**
 * One entry point for every dataset format: `loadDataset(config, experimentDir)`.
 * Paths are relative to the experiment file's folder. `config.limit` keeps the
 * first N images of each split. IDX and CIFAR-10 data keep their native size
 * (the trainer's random-resized-crop takes them to imageSize); image folders
 * are decoded straight to imageSize x imageSize.
 */
import * as path from "node:path";
import type { Experiment } from "../config/schema";
import type { ImageDataset, LoadedData } from "./dataset";
import { loadIdxImages } from "./idx";
import { loadCifar10 } from "./cifar10";
import { loadImageFolder } from "./imageFolder";
import { loadEmbedded } from "./embedded";

export interface LoadOptions {
  /** Progress of image-folder decoding (other formats load in one go). */
  onProgress?: (split: "train" | "test", done: number, total: number) => void;
}

/** The first n images of a dataset (a copy), or the dataset itself when it has no more than n. */
export function takeFirst(ds: ImageDataset, n: number | undefined): ImageDataset {
  if (n === undefined || n >= ds.count) return ds;
  const per = ds.height * ds.width * ds.channels;
  const out: ImageDataset = { ...ds, count: n, pixels: ds.pixels.slice(0, n * per) };
  if (ds.labels) out.labels = ds.labels.slice(0, n);
  if (ds.files) out.files = ds.files.slice(0, n);
  return out;
}

export async function loadDataset(config: Experiment, experimentDir: string, options: LoadOptions = {}): Promise<LoadedData> {
  const d = config.dataset;
  const at = (p: string) => path.resolve(experimentDir, p);
  const limit = config.limit ?? {};
  let data: LoadedData;
  switch (d.format) {
    case "embedded":
      data = await loadEmbedded(d.name);
      break;
    case "cifar10":
      data = await loadCifar10(at(d.dir));
      break;
    case "idx": {
      // parseExperiment has checked that testImages and testLabels come together.
      const train = await loadIdxImages(at(d.trainImages), d.trainLabels === undefined ? undefined : at(d.trainLabels));
      const test = d.testImages === undefined ? undefined : await loadIdxImages(at(d.testImages), at(d.testLabels!));
      // Label values are the class names ("0".."9"); give both splits the same list.
      if (train.classNames && test?.classNames) {
        const names = train.classNames.length >= test.classNames.length ? train.classNames : test.classNames;
        train.classNames = names;
        test.classNames = names;
      }
      data = { train, test, skipped: [] };
      break;
    }
    case "folder": {
      const channels = d.channels ?? 3;
      const train = await loadImageFolder(at(d.train), {
        size: config.imageSize,
        channels,
        limit: limit.train,
        onProgress: options.onProgress && ((done, total) => options.onProgress!("train", done, total)),
      });
      let test: typeof train | undefined;
      if (d.test !== undefined) {
        test = await loadImageFolder(at(d.test), {
          size: config.imageSize,
          channels,
          limit: limit.test,
          classNames: train.dataset.classNames,
          onProgress: options.onProgress && ((done, total) => options.onProgress!("test", done, total)),
        });
        if (!test.dataset.labels) {
          throw new Error(`${at(d.test)}: the test folder must hold its images in class sub-folders (it is used for kNN evaluation)`);
        }
      }
      data = { train: train.dataset, test: test?.dataset, skipped: [...train.skipped, ...(test?.skipped ?? [])] };
      break;
    }
  }
  return {
    train: takeFirst(data.train, limit.train),
    test: data.test && takeFirst(data.test, limit.test),
    skipped: data.skipped,
  };
}
