/**
 * `cache clear`: removes the cache's own files (entries, leftover temp files,
 * the manifest) and then the folders they leave empty. Anything else someone
 * put in the folder stays, and so do the folders holding it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { entriesDir, listEntryFiles } from "./entryStore";
import { MANIFEST_FILE } from "./manifest";

export interface ClearReport {
  removedEntries: number;
  removedBytes: number;
  /** Files that are not the cache's, left in place (paths relative to the cache folder). */
  kept: string[];
}

function removeIfEmpty(folder: string): void {
  try {
    fs.rmdirSync(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOENT" && code !== "ENOTDIR") throw e;
  }
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => !d.isDirectory())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)));
}

export function clearCache(dir: string): ClearReport {
  const { entries, temps } = listEntryFiles(dir);
  for (const f of [...entries.map((e) => e.file), ...temps]) fs.rmSync(f, { force: true });
  if (fs.existsSync(dir)) {
    for (const name of fs.readdirSync(dir)) {
      const ours = name === MANIFEST_FILE || (name.startsWith(`${MANIFEST_FILE}.`) && name.endsWith(".tmp"));
      if (ours) fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  const root = entriesDir(dir);
  if (fs.existsSync(root)) {
    for (const sub of fs.readdirSync(root)) if (/^[0-9a-f]{2}$/.test(sub)) removeIfEmpty(path.join(root, sub));
    removeIfEmpty(root);
  }
  removeIfEmpty(dir);
  return { removedEntries: entries.length, removedBytes: entries.reduce((sum, e) => sum + e.bytes, 0), kept: filesUnder(dir).sort() };
}
