/**
 * Region maps for the saliencyCut op, looked up in the offline cache by the
 * pixel hash of each decoded image. Training treats a miss as an error naming
 * the image unless the experiment says "onMiss": "compute"; the preview always
 * computes misses (a few images, and it should show the op before any cache
 * exists). Computed results are kept for the life of the maps. Hits and
 * misses go into the metrics.
 */
import * as path from "node:path";
import { viewInstances } from "../augment/views";
import { saliencyParams } from "../config/saliencySchema";
import type { Experiment } from "../config/schema";
import type { ImageDataset } from "../data/dataset";
import { datasetImage, toRgb } from "./cache/datasetImage";
import { pixelHash } from "./cache/key";
import { openSaliencyCache } from "./cache/lookup";
import { loadOpenCV } from "./opencv";
import { saliencyCutWith } from "./saliencyCut";
import type { RegionMap } from "./types";

export interface RegionMaps {
  regionMap(imageIndex: number): RegionMap;
  /** Lookups so far: found in the cache, not found (computed when allowed). */
  counts(): { hits: number; misses: number };
  /** Where the cache is and how it is read, for the run's log. */
  describe(): string;
  close(): void;
}

export interface RegionMapOptions {
  onMiss: "error" | "compute";
  /** The images that will be looked up (default: all): checked up front when misses are errors. */
  indices?: readonly number[];
  /** What builds the cache, for the error message. */
  buildCommand: string;
  /** Overrides saliency.cache.memoryMB (the preview reads its few entries from disk: 0). */
  memoryMB?: number;
}

const imageName = (data: ImageDataset, i: number) => data.files?.[i] ?? `image ${i} of ${data.source}`;

/** Whether any view of the policy can fire the saliencyCut op. */
export function usesSaliencyCut(config: Pick<Experiment, "augment" | "method" | "imageSize">): boolean {
  return viewInstances(config).some((v) => v.ops.some((op) => op.op === "saliencyCut" && op.p > 0));
}

/** undefined when the policy has no saliencyCut op. */
export async function openRegionMaps(config: Experiment, experimentDir: string, data: ImageDataset, o: RegionMapOptions): Promise<RegionMaps | undefined> {
  if (!usesSaliencyCut(config)) return undefined;
  const params = saliencyParams(config.saliency);
  const dir = path.resolve(experimentDir, config.saliency.cache.dir);
  const cv = o.onMiss === "compute" ? (await loadOpenCV()).cv : undefined;
  const reader = openSaliencyCache(dir, params, { memoryMB: o.memoryMB ?? config.saliency.cache.memoryMB });
  const hashes = new Map<number, string>();
  const hashOf = (i: number) => hashes.get(i) ?? hashes.set(i, pixelHash(datasetImage(data, i))).get(i)!;
  if (!cv) {
    // Hashing is cheap (a few ms per thousand small images) and finds a missing result before any training.
    const wanted = o.indices ?? Array.from({ length: data.count }, (_, i) => i);
    const missing = wanted.filter((i) => !reader.has(hashOf(i)));
    if (missing.length > 0) {
      reader.close();
      throw new Error(
        `the saliencyCut op: ${missing.length} of ${wanted.length} images have no SaliencyCut result in ${dir} (first: ${imageName(data, missing[0]!)}). Build the cache with \`${o.buildCommand}\`, or set "saliency": {"cache": {"onMiss": "compute"}} to compute missing results during training (slow).`,
      );
    }
  }
  const computed = new Map<number, RegionMap>();
  return {
    regionMap(i) {
      const entry = reader.get(hashOf(i));
      if (entry) return entry;
      let map = computed.get(i);
      if (!map) {
        if (!cv) throw new Error(`the saliencyCut op: no SaliencyCut result for ${imageName(data, i)} in ${dir} (was the cache changed during training?); run \`${o.buildCommand}\``);
        const { regions, regionCount } = saliencyCutWith(cv, toRgb(datasetImage(data, i)), params);
        computed.set(i, (map = { regions, regionCount }));
      }
      return map;
    },
    counts: () => ({ hits: reader.hits, misses: reader.misses }),
    describe: () =>
      `SaliencyCut cache ${dir}: ${reader.entries} entries, read ${reader.mode === "memory" ? "into memory" : "from disk per lookup"}${cv ? "; misses are computed" : ""}`,
    close: () => reader.close(),
  };
}

/**
 * Runs `render` with the region maps of a few shown images, computing the
 * ones the cache lacks, as the augmentation preview (panel and CLI) needs.
 */
export async function withPreviewRegionMaps<T>(
  config: Experiment,
  experimentFile: string,
  data: ImageDataset,
  indices: readonly number[],
  render: (regionMap: RegionMaps["regionMap"] | undefined) => T,
): Promise<T> {
  const maps = await openRegionMaps(config, path.dirname(experimentFile), data, { onMiss: "compute", indices, memoryMB: 0, buildCommand: `ssl-studio cache build ${experimentFile}` });
  try {
    return render(maps?.regionMap);
  } finally {
    maps?.close();
  }
}
