/**
 * What the cache folder holds, from the manifest reconciled with the entry
 * files: the files are the truth (a kill can land between writing an entry
 * and appending its record, and a manifest can be damaged or deleted), the
 * manifest adds what files cannot say (failures) and saves reading every
 * header. With `write`, the reconciled manifest replaces the old one (which
 * also compacts superseded lines) and temp files of killed writes are removed.
 */
import * as fs from "node:fs";
import { CorruptEntryError } from "./entryFormat";
import { listEntryFiles, readEntryHeader } from "./entryStore";
import { readManifest, writeManifest, type EntryRecord, type FailureRecord, type ManifestRecord } from "./manifest";

export interface CacheState {
  /** Stored results by key, each with an entry file present. */
  entries: Map<string, EntryRecord>;
  /** The latest failure of each key that has no entry. */
  failures: Map<string, FailureRecord>;
  /** Entry files whose header cannot be read, with why (`cache verify --fix` removes them, a build overwrites them). */
  unreadable: { file: string; bytes: number; reason: string }[];
  /** What did not match and was rebuilt, for messages. */
  repairs: string[];
}

export function loadCacheState(dir: string, options: { write: boolean }): CacheState {
  const manifest = readManifest(dir);
  const { entries: files, temps } = listEntryFiles(dir);
  const repairs: string[] = [];
  if (manifest.problem) repairs.push(`manifest damaged (${manifest.problem})`);
  else if (!manifest.exists && files.length) repairs.push("manifest missing");

  const listed = new Map<string, EntryRecord>();
  const failures = new Map<string, FailureRecord>();
  for (const r of manifest.records) {
    if (r.type === "entry") {
      listed.set(r.key, r);
      failures.delete(r.key);
    } else {
      failures.set(r.key, r);
    }
  }

  const entries = new Map<string, EntryRecord>();
  const unreadable: CacheState["unreadable"] = [];
  let recovered = 0;
  for (const f of files) {
    const known = listed.get(f.key);
    if (known) {
      entries.set(f.key, { ...known, bytes: f.bytes });
      continue;
    }
    try {
      const header = readEntryHeader(f.file);
      if (header.key !== f.key) throw new CorruptEntryError(`file holds the entry for key ${header.key}`);
      entries.set(f.key, { type: "entry", ...header, bytes: f.bytes });
      recovered++;
    } catch (e) {
      if (!(e instanceof CorruptEntryError)) throw e;
      unreadable.push({ file: f.file, bytes: f.bytes, reason: e.message });
    }
  }
  for (const key of entries.keys()) failures.delete(key);
  const vanished = [...listed.keys()].filter((k) => !entries.has(k)).length;
  if (recovered) repairs.push(`${recovered} entr${recovered === 1 ? "y" : "ies"} recovered from entry files`);
  if (vanished) repairs.push(`${vanished} manifest record${vanished === 1 ? "" : "s"} without an entry file dropped`);

  if (options.write) {
    fs.mkdirSync(dir, { recursive: true });
    const compacted: ManifestRecord[] = [...entries.values(), ...failures.values()].sort((a, b) => a.image.index - b.image.index);
    if (repairs.length || compacted.length !== manifest.records.length) writeManifest(dir, compacted);
    for (const t of temps) fs.rmSync(t, { force: true });
  }
  return { entries, failures, unreadable, repairs };
}
