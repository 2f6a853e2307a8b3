/**
 * `cache build`: SaliencyCut for every training image not cached yet, in a
 * pool of worker threads. Each result is written as its own entry file and
 * then recorded in the manifest, so a kill or a cancel (the AbortSignal) at
 * any moment leaves a consistent cache and the next build resumes where this
 * one stopped. An image SaliencyCut fails on is recorded with the reason and
 * the build goes on; it is tried again by the next build. Existing entries'
 * checksums are checked, and a damaged entry is computed again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import type { SaliencyParams } from "../../config/saliencySchema";
import type { ImageDataset } from "../../data/dataset";
import { SALIENCY_VERSION } from "../saliencyCut";
import type { RgbImage } from "../types";
import { loadCacheState } from "./cacheState";
import { datasetImage, imageKeys, imageRef, toRgb } from "./datasetImage";
import { resultProblem, type CacheEntry, type EntryIdentity, type ImageRef } from "./entryFormat";
import { entryIntact, entryPath, writeEntry } from "./entryStore";
import { ManifestAppender } from "./manifest";
import { SaliencyWorkerPool } from "./workerPool";

/** Computes what the cache stores for one image; may keep `image.data` (the build made it for this call). */
export type ComputeSaliency = (image: RgbImage, params: SaliencyParams) => Promise<CacheEntry>;

export interface BuildProgress {
  /** Images finished: cached before, computed or failed. */
  done: number;
  total: number;
  cachedBefore: number;
  failed: number;
  /** Images computed (or failed) per second in this build. */
  imagesPerSecond: number;
  /** Infinity until the first image is finished. */
  etaSeconds: number;
}

export interface ImageFailure extends ImageRef {
  reason: string;
}

export interface BuildOptions {
  /** The cache folder (absolute). */
  dir: string;
  params: SaliencyParams;
  /** The training split, as the trainer loads it. */
  dataset: ImageDataset;
  /** The source file of each image, when the dataset has files (image folders). */
  files?: readonly string[];
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  /** Replaces the worker threads (tests, or a caller with its own pool); called with up to `workers` images at a time. */
  compute?: ComputeSaliency;
  onProgress?: (p: BuildProgress) => void;
  /** Cancels: images in progress are dropped, everything finished stays cached. */
  signal?: AbortSignal;
}

export interface BuildSummary {
  total: number;
  cachedBefore: number;
  computed: number;
  failed: ImageFailure[];
  /** Entries that were damaged (or unreadable) and were computed again. */
  repaired: number;
  /** Manifest problems found and fixed when the build started. */
  repairs: string[];
  cancelled: boolean;
  seconds: number;
  imagesPerSecond: number;
}

export async function buildCache(options: BuildOptions): Promise<BuildSummary> {
  const { dir, params, dataset, files, onProgress } = options;
  const workers = Math.max(1, options.workers ?? os.availableParallelism());
  const started = performance.now();
  const state = loadCacheState(dir, { write: true });

  // Images with identical pixels share one key: computed once, counted for each.
  const groups = new Map<string, { pixelHash: string; indexes: number[] }>();
  imageKeys(dataset, params).forEach(({ pixelHash, key }, i) => {
    const group = groups.get(key);
    if (group) group.indexes.push(i);
    else groups.set(key, { pixelHash, indexes: [i] });
  });
  let cachedBefore = 0;
  const todo: string[] = [];
  for (const [key, group] of groups) {
    if (state.entries.has(key) && entryIntact(dir, key)) cachedBefore += group.indexes.length;
    else todo.push(key);
  }
  const repaired = todo.filter((key) => fs.existsSync(entryPath(dir, key))).length;

  const stop = new AbortController();
  const cancel = () => stop.abort();
  options.signal?.addEventListener("abort", cancel);
  if (options.signal?.aborted) cancel();
  const pool = options.compute ? undefined : new SaliencyWorkerPool(workers);
  stop.signal.addEventListener("abort", () => void pool?.close());
  const compute: ComputeSaliency = options.compute ?? ((image, p) => pool!.compute(image, p));

  const appender = new ManifestAppender(dir);
  const failed: ImageFailure[] = [];
  let computed = 0;
  let done = cachedBefore;
  const computeStarted = performance.now();
  const rate = () => (done - cachedBefore) / Math.max(1e-9, (performance.now() - computeStarted) / 1000);
  const report = () => {
    const r = rate();
    onProgress?.({ done, total: dataset.count, cachedBefore, failed: failed.length, imagesPerSecond: r, etaSeconds: r > 0 ? (dataset.count - done) / r : Infinity });
  };

  const one = async (key: string) => {
    const { pixelHash: hash, indexes } = groups.get(key)!;
    const identity: EntryIdentity = { key, pixelHash: hash, params, version: SALIENCY_VERSION, image: imageRef(indexes[0]!, files) };
    const rgb = toRgb(datasetImage(dataset, indexes[0]!));
    const { width, height } = rgb;
    let entry: CacheEntry;
    try {
      entry = await compute(rgb, params);
      const problem = resultProblem(entry, width, height);
      if (problem) throw new Error(problem);
    } catch (e) {
      // A cancelled image is not a failure: it is simply not cached yet.
      if (stop.signal.aborted) return;
      const reason = e instanceof Error ? e.message : String(e);
      appender.append({ type: "failure", ...identity, reason });
      for (const index of indexes) failed.push({ ...imageRef(index, files), reason });
      done += indexes.length;
      report();
      return;
    }
    const header = { ...identity, width, height, regionCount: entry.regionCount };
    const bytes = await writeEntry(dir, header, entry);
    appender.append({ type: "entry", ...header, bytes });
    computed += indexes.length;
    done += indexes.length;
    report();
  };

  let next = 0;
  let fatal: unknown;
  const lane = async () => {
    while (next < todo.length && !stop.signal.aborted) {
      try {
        await one(todo[next++]!);
      } catch (e) {
        // Not the image's fault (a full disk, a removed folder): stop the whole build.
        fatal ??= e;
        stop.abort();
      }
    }
  };
  report();
  try {
    await Promise.all(Array.from({ length: Math.min(workers, todo.length) }, lane));
  } finally {
    options.signal?.removeEventListener("abort", cancel);
    appender.close();
    await pool?.close();
  }
  if (fatal !== undefined) throw fatal;
  const seconds = (performance.now() - started) / 1000;
  return {
    total: dataset.count,
    cachedBefore,
    computed,
    failed,
    repaired,
    repairs: state.repairs,
    cancelled: stop.signal.aborted && done < dataset.count,
    seconds,
    imagesPerSecond: rate(),
  };
}
