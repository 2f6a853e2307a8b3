/**
 * The cache as training reads it: results for one set of SaliencyCut
 * settings, looked up by the pixel hash of the decoded image. When all of
 * them fit in the memory budget they are read (and checked) once at open;
 * otherwise each lookup reads its entry file. A damaged entry counts as a
 * miss and in `corrupt` (`ssl-studio cache verify --fix` removes it).
 * Read-only: opening never rewrites the manifest, so a build may run beside it.
 */
import type { SaliencyParams } from "../../config/saliencySchema";
import { SALIENCY_VERSION } from "../saliencyCut";
import { loadCacheState } from "./cacheState";
import { CorruptEntryError, type CacheEntry } from "./entryFormat";
import { readEntry } from "./entryStore";
import { cacheKey, pixelHash, sameSettings, type PixelImage } from "./key";

/** Bytes an entry takes in memory: regions (2/pixel), mask (1/pixel), plus object overhead. */
const entryMemory = (width: number, height: number) => 3 * width * height + 256;

export interface SaliencyCacheReader {
  /** memory: every entry was loaded at open; disk: each lookup reads a file. */
  readonly mode: "memory" | "disk";
  /** Entries with these settings. */
  readonly entries: number;
  readonly hits: number;
  /** Lookups that found nothing usable (corrupt ones included). */
  readonly misses: number;
  /** Entries found damaged, at open (memory) or at lookup (disk). */
  readonly corrupt: number;
  /**
   * Whether the cache lists a result for an image, without reading it or
   * counting a lookup (to find missing images before training). A listed
   * entry found damaged at `get` is still a miss there.
   */
  has(image: PixelImage | string): boolean;
  /** The result for an image, given as its decoded pixels or their pixel hash (key.ts). */
  get(image: PixelImage | string): CacheEntry | undefined;
  /** Drops the in-memory entries. */
  close(): void;
}

export function openSaliencyCache(dir: string, params: SaliencyParams, options: { memoryMB: number }): SaliencyCacheReader {
  const settings = { params, version: SALIENCY_VERSION };
  const records = [...loadCacheState(dir, { write: false }).entries.values()].filter((r) => sameSettings(r, settings));
  const needed = records.reduce((sum, r) => sum + entryMemory(r.width, r.height), 0);
  const mode = needed <= options.memoryMB * 1024 * 1024 ? "memory" : "disk";
  let hits = 0;
  let misses = 0;
  let corrupt = 0;

  const read = (key: string): CacheEntry | undefined => {
    try {
      return readEntry(dir, key)?.entry;
    } catch (e) {
      if (!(e instanceof CorruptEntryError)) throw e;
      corrupt++;
      return undefined;
    }
  };

  const listed = new Set(records.map((r) => r.pixelHash));
  const loaded = new Map<string, CacheEntry>();
  if (mode === "memory") {
    for (const r of records) {
      const entry = read(r.key);
      if (entry) loaded.set(r.pixelHash, entry);
    }
  }
  const hashOf = (image: PixelImage | string) => (typeof image === "string" ? image : pixelHash(image));
  const find = (hash: string) => (mode === "memory" ? loaded.get(hash) : read(cacheKey(hash, params, SALIENCY_VERSION)));

  return {
    mode,
    entries: records.length,
    get hits() {
      return hits;
    },
    get misses() {
      return misses;
    },
    get corrupt() {
      return corrupt;
    },
    has(image) {
      const hash = hashOf(image);
      return mode === "memory" ? loaded.has(hash) : listed.has(hash);
    },
    get(image) {
      const entry = find(hashOf(image));
      if (entry) hits++;
      else misses++;
      return entry;
    },
    close() {
      loaded.clear();
      listed.clear();
    },
  };
}
