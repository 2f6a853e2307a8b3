/**
 * `cache verify`: reads every entry file back in full and checks its length,
 * checksum, fields, pixel values, that it sits under its own key, and that
 * the key re-hashes from the pixel hash, settings and version it records.
 * With `fix`, damaged files are removed (the next build computes them again)
 * and the manifest is rewritten to match what is left.
 */
import * as fs from "node:fs";
import { loadCacheState } from "./cacheState";
import { CorruptEntryError, type ImageRef } from "./entryFormat";
import { listEntryFiles, readEntry } from "./entryStore";
import { cacheKey } from "./key";

export interface VerifyReport {
  checked: number;
  /** Damaged entry files with why, and the image they were for when the manifest knows it. */
  corrupt: { file: string; image?: ImageRef; reason: string }[];
  /** Damaged files removed (with `fix`). */
  removed: number;
  /** Manifest problems found (rewritten with `fix`). */
  repairs: string[];
}

function problemOf(dir: string, key: string): string | undefined {
  try {
    const { header } = readEntry(dir, key)!;
    const rehashed = cacheKey(header.pixelHash, header.params, header.version);
    return rehashed === key ? undefined : `its pixel hash, settings and version hash to ${rehashed}, not to its key`;
  } catch (e) {
    if (e instanceof CorruptEntryError) return e.message;
    throw e;
  }
}

export function verifyCache(dir: string, options: { fix: boolean }): VerifyReport {
  const state = loadCacheState(dir, { write: false });
  const { entries: files } = listEntryFiles(dir);
  const corrupt: VerifyReport["corrupt"] = [];
  for (const f of files) {
    const reason = problemOf(dir, f.key);
    if (reason) corrupt.push({ file: f.file, image: state.entries.get(f.key)?.image, reason });
  }
  if (options.fix && (corrupt.length || state.repairs.length)) {
    for (const c of corrupt) fs.rmSync(c.file, { force: true });
    loadCacheState(dir, { write: true });
  }
  return { checked: files.length, corrupt, removed: options.fix ? corrupt.length : 0, repairs: state.repairs };
}
