/**
 * Crash-safe file writes: write a temporary sibling, fsync it, rename it over
 * the target, fsync the folder. A reader (or a resume after SIGKILL or a full
 * disk) sees the old file or the new one, never half of one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
}

/** Writes a file and flushes it to the disk before returning. */
export function writeSynced(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, "w");
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomic(target: string, data: string | Uint8Array): void {
  const tmp = tempName(target);
  try {
    writeSynced(tmp, data);
    fs.renameSync(tmp, target);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
  fsyncDir(path.dirname(target));
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + "\n");
}

/** Appends one JSON line; a torn last line after a kill is skipped by readers (readJsonLines). */
export function appendJsonLine(file: string, value: unknown): void {
  fs.appendFileSync(file, JSON.stringify(value) + "\n");
}

export function readJsonLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const rows: T[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as T);
    } catch {
      // A line cut short by a kill: the data it held was never acknowledged.
    }
  }
  return rows;
}
