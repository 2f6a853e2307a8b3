/**
 * The training images a preview needs, cached across renders while the
 * dataset part of the config stays the same.
 *
 * Embedded, IDX and CIFAR-10 data load whole (one read, native size). An
 * image folder is listed, not decoded: only the images shown are decoded. They
 * go into a buffer of the full training set's shape, so dataset index i is
 * where training has it and the same augmentBatch call applies; the rest of
 * the buffer stays zero pages the OS never commits (a 3 GB buffer with a few
 * images in it costs a few MB), and it is never bigger than training's own.
 *
 * Folder indices assume every listed file decodes, as they do unless a file is
 * corrupt: a chosen file that fails to decode makes the folder load as
 * training loads it (everything decoded, unreadable files skipped), so the
 * indices are exact again. A corrupt file before a shown one that is never
 * decoded itself would shift the indices by one; the preview does not look for it.
 */
import * as path from "node:path";
import type { Experiment } from "../config/schema";
import type { ImageDataset } from "../data/dataset";
import { decodeImage, listImageFolder } from "../data/imageFolder";
import { loadDataset } from "../data/load";
import { previewIndices } from "./preview";

interface FolderSource {
  kind: "folder";
  files: string[];
  data: ImageDataset;
  decoded: Set<number>;
}

interface LoadedSource {
  kind: "loaded";
  data: ImageDataset;
}

/** What loading the training split depends on; anything else in the config can change without a reload. */
function datasetKey(config: Experiment, experimentDir: string): string {
  return JSON.stringify([path.resolve(experimentDir), config.dataset, config.imageSize, config.limit?.train ?? null]);
}

async function listFolder(config: Experiment, experimentDir: string): Promise<FolderSource> {
  const d = config.dataset as Extract<Experiment["dataset"], { format: "folder" }>;
  const root = path.resolve(experimentDir, d.train);
  const listing = await listImageFolder(root);
  const count = Math.min(listing.order.length, config.limit?.train ?? Infinity);
  if (count === 0) throw new Error(`${root}: no .png/.jpg/.jpeg files found`);
  const channels = d.channels ?? 3;
  const size = config.imageSize;
  const data: ImageDataset = { source: root, count, height: size, width: size, channels, pixels: new Uint8Array(count * size * size * channels) };
  if (listing.classNames) {
    data.classNames = listing.classNames;
    data.labels = Int32Array.from(listing.order.slice(0, count), (c) => listing.classNames!.indexOf(c.cls!));
  }
  return { kind: "folder", files: listing.order.slice(0, count).map((c) => c.file), data, decoded: new Set() };
}

export class PreviewData {
  private key?: string;
  private source?: Promise<FolderSource | LoadedSource>;

  /** Drop the cache (e.g. the files on disk changed). */
  clear(): void {
    this.key = undefined;
    this.source = undefined;
  }

  /**
   * A dataset whose images at previewIndices(seed, count, n) are as training
   * has them, and those indices. Other indices may be unfilled.
   */
  async pick(config: Experiment, experimentDir: string, seed: number, n: number): Promise<{ data: ImageDataset; indices: number[] }> {
    const key = datasetKey(config, experimentDir);
    if (key !== this.key || !this.source) {
      this.key = key;
      this.source =
        config.dataset.format === "folder"
          ? listFolder(config, experimentDir)
          : loadDataset(config, experimentDir).then((loaded) => ({ kind: "loaded" as const, data: loaded.train }));
      // A failed load is not cached: the next render tries again (the user may be fixing the data).
      this.source.catch(() => this.key === key && this.clear());
    }
    const source = await this.source;
    const indices = previewIndices(seed, source.data.count, n);
    if (source.kind === "loaded") return { data: source.data, indices };
    const missing = indices.filter((i) => !source.decoded.has(i));
    const per = source.data.height * source.data.width * source.data.channels;
    const channels = source.data.channels;
    try {
      const decoded = await Promise.all(missing.map((i) => decodeImage(source.files[i]!, config.imageSize, channels)));
      missing.forEach((i, k) => {
        source.data.pixels.set(decoded[k]!, i * per);
        source.decoded.add(i);
      });
    } catch {
      // An unreadable file shifts every later index in training: load the folder as training does.
      const loaded = await loadDataset(config, experimentDir);
      const exact: LoadedSource = { kind: "loaded", data: loaded.train };
      this.source = Promise.resolve(exact);
      return { data: exact.data, indices: previewIndices(seed, exact.data.count, n) };
    }
    return { data: source.data, indices };
  }
}
