/** `cache stats`: what the cache holds and how much of the experiment's dataset it covers. Read-only. */
import * as fs from "node:fs";
import type { SaliencyParams } from "../../config/saliencySchema";
import type { ImageDataset } from "../../data/dataset";
import { SALIENCY_VERSION } from "../saliencyCut";
import type { ImageFailure } from "./build";
import { loadCacheState } from "./cacheState";
import { imageKeys, imageRef } from "./datasetImage";
import { canonicalJson } from "./key";
import { manifestPath } from "./manifest";

export interface CacheStats {
  /** Readable entry files, whatever their settings. */
  entries: number;
  /** Entry files and manifest. */
  diskBytes: number;
  /** Entries with the experiment's settings and this SaliencyCut version. */
  current: number;
  /** Entries with the experiment's settings from another SaliencyCut version. */
  staleVersion: number;
  /** Entries made with other settings (another experiment, or these settings before a change). */
  staleParams: number;
  /** Entry files whose header cannot be read. */
  unreadable: { file: string; reason: string }[];
  /** Coverage of the dataset, when one was given. */
  images?: { total: number; cached: number; missing: number; failed: ImageFailure[] };
  /** Manifest problems seen (the next build or `verify --fix` rewrites it). */
  repairs: string[];
}

export function cacheStats(dir: string, params: SaliencyParams, data?: { dataset: ImageDataset; files?: readonly string[] }): CacheStats {
  const state = loadCacheState(dir, { write: false });
  const wanted = canonicalJson(params);
  let current = 0;
  let staleVersion = 0;
  let diskBytes = 0;
  for (const r of state.entries.values()) {
    diskBytes += r.bytes;
    if (canonicalJson(r.params) !== wanted) continue;
    if (r.version === SALIENCY_VERSION) current++;
    else staleVersion++;
  }
  diskBytes += state.unreadable.reduce((sum, u) => sum + u.bytes, 0);
  diskBytes += fs.statSync(manifestPath(dir), { throwIfNoEntry: false })?.size ?? 0;

  const stats: CacheStats = {
    entries: state.entries.size,
    diskBytes,
    current,
    staleVersion,
    staleParams: state.entries.size - current - staleVersion,
    unreadable: state.unreadable.map(({ file, reason }) => ({ file, reason })),
    repairs: state.repairs,
  };
  if (data) {
    const failed: ImageFailure[] = [];
    let cached = 0;
    imageKeys(data.dataset, params).forEach(({ key }, i) => {
      if (state.entries.has(key)) cached++;
      else {
        const failure = state.failures.get(key);
        if (failure) failed.push({ ...imageRef(i, data.files), reason: failure.reason });
      }
    });
    stats.images = { total: data.dataset.count, cached, missing: data.dataset.count - cached, failed };
  }
  return stats;
}
