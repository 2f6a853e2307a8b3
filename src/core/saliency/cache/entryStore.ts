/**
 * Entry files on disk: <dir>/entries/<first 2 hex of key>/<key>.bin (256
 * sub-folders keep folder listings short for large datasets). Writes go to a
 * temp file in the same folder renamed over the final name, so a killed build
 * leaves either a whole entry or none (plus maybe a temp file, which the next
 * build removes). No fsync: after a power loss an entry may come back empty
 * or short, which its checksum catches and the next build recomputes, and
 * syncing every small file would cost more than computing small images.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { checkEntry, CorruptEntryError, decodeEntry, decodeHeader, encodeEntry, headerEnd, PREFIX_BYTES, type CacheEntry, type EntryHeader } from "./entryFormat";

const ENTRY_NAME = /^([0-9a-f]{64})\.bin$/;
const TEMP_NAME = /^[0-9a-f]{64}\.bin\.[0-9a-f]+\.tmp$/;

export function entriesDir(dir: string): string {
  return path.join(dir, "entries");
}

export function entryPath(dir: string, key: string): string {
  return path.join(entriesDir(dir), key.slice(0, 2), `${key}.bin`);
}

/** Writes one entry atomically; returns its size in bytes. */
export async function writeEntry(dir: string, header: EntryHeader, entry: CacheEntry): Promise<number> {
  const bytes = encodeEntry(header, entry);
  const final = entryPath(dir, header.key);
  await fs.promises.mkdir(path.dirname(final), { recursive: true });
  const temp = `${final}.${randomBytes(6).toString("hex")}.tmp`;
  await fs.promises.writeFile(temp, bytes);
  await fs.promises.rename(temp, final);
  return bytes.length;
}

function readFileIfAny(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

function checkKey(header: EntryHeader, key: string): void {
  if (header.key !== key) throw new CorruptEntryError(`file holds the entry for key ${header.key}`);
}

/** The entry for a key, fully checked; undefined when there is none; CorruptEntryError when it is damaged or belongs to another key. */
export function readEntry(dir: string, key: string): { header: EntryHeader; entry: CacheEntry } | undefined {
  const bytes = readFileIfAny(entryPath(dir, key));
  if (!bytes) return undefined;
  const decoded = decodeEntry(bytes);
  checkKey(decoded.header, key);
  return decoded;
}

/**
 * Whether the entry for a key is on disk, whole and under its own key: the
 * checksum over header and payload, without inflating (several times cheaper
 * than readEntry, for skipping cached images when a build resumes).
 */
export function entryIntact(dir: string, key: string): boolean {
  const bytes = readFileIfAny(entryPath(dir, key));
  if (!bytes) return false;
  try {
    checkKey(checkEntry(bytes).header, key);
    return true;
  } catch (e) {
    if (e instanceof CorruptEntryError) return false;
    throw e;
  }
}

/** Only an entry's header (cheap: the payload is not read or checked), for rebuilding the manifest. */
export function readEntryHeader(file: string): EntryHeader {
  const fd = fs.openSync(file, "r");
  try {
    const prefix = Buffer.alloc(PREFIX_BYTES);
    fs.readSync(fd, prefix, 0, PREFIX_BYTES, 0);
    // A damaged length field must not make us allocate gigabytes: never read past the file.
    const head = Buffer.alloc(Math.min(headerEnd(prefix), fs.fstatSync(fd).size));
    const got = fs.readSync(fd, head, 0, head.length, 0);
    return decodeHeader(head.subarray(0, got));
  } finally {
    fs.closeSync(fd);
  }
}

export interface EntryFile {
  key: string;
  file: string;
  bytes: number;
}

/** Every entry file and every leftover temp file under the cache folder. Files of other names are not ours and are left out. */
export function listEntryFiles(dir: string): { entries: EntryFile[]; temps: string[] } {
  const entries: EntryFile[] = [];
  const temps: string[] = [];
  const root = entriesDir(dir);
  let subs: fs.Dirent[];
  try {
    subs = fs.readdirSync(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { entries, temps };
    throw e;
  }
  for (const sub of subs) {
    if (!sub.isDirectory() || !/^[0-9a-f]{2}$/.test(sub.name)) continue;
    const folder = path.join(root, sub.name);
    for (const name of fs.readdirSync(folder)) {
      const file = path.join(folder, name);
      const match = ENTRY_NAME.exec(name);
      if (match && match[1]!.startsWith(sub.name)) entries.push({ key: match[1]!, file, bytes: fs.statSync(file).size });
      else if (TEMP_NAME.test(name)) temps.push(file);
    }
  }
  return { entries, temps };
}
