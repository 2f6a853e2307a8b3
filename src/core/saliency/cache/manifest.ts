/**
 * The manifest, <dir>/manifest.jsonl: one JSON record per line, appended as a
 * build stores each result or gives up on an image, so a kill loses at most the
 * line being written. A torn last line (no newline) or an unreadable line is
 * reported and skipped, never fatal; the cache state (cacheState.ts) then
 * rebuilds the entry records from the entry files' own headers and rewrites
 * the manifest atomically. Later records for a key supersede earlier ones.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { headerProblem, identityProblem, type EntryHeader, type EntryIdentity } from "./entryFormat";

export const MANIFEST_FILE = "manifest.jsonl";

/** A stored result: its header plus the entry file's size. */
export interface EntryRecord extends EntryHeader {
  type: "entry";
  bytes: number;
}

/** An image SaliencyCut failed on, with why; the next build tries it again. */
export interface FailureRecord extends EntryIdentity {
  type: "failure";
  reason: string;
}

export type ManifestRecord = EntryRecord | FailureRecord;

export function manifestPath(dir: string): string {
  return path.join(dir, MANIFEST_FILE);
}

function recordProblem(r: Partial<ManifestRecord> | null): string | undefined {
  if (r?.type === "entry") return headerProblem(r) ?? (Number.isInteger(r.bytes) ? undefined : "no entry size");
  if (r?.type === "failure") return identityProblem(r) ?? (typeof r.reason === "string" ? undefined : "no reason");
  return "unknown record type";
}

export interface ParsedManifest {
  exists: boolean;
  records: ManifestRecord[];
  /** What was wrong with the file, when something was: it should be rebuilt. */
  problem?: string;
}

export function readManifest(dir: string): ParsedManifest {
  let text: string;
  try {
    text = fs.readFileSync(manifestPath(dir), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { exists: false, records: [] };
    throw e;
  }
  const lines = text.split("\n");
  const problems: string[] = [];
  // Everything after the last newline is a line whose write did not finish.
  const torn = lines.pop()!;
  if (torn !== "") problems.push("the last line is incomplete");
  const records: ManifestRecord[] = [];
  lines.forEach((line, i) => {
    let record: ManifestRecord | null = null;
    try {
      record = JSON.parse(line) as ManifestRecord;
    } catch {
      // reported below with the line number
    }
    const problem = record === null ? "not JSON" : recordProblem(record);
    if (problem) problems.push(`line ${i + 1}: ${problem}`);
    else records.push(record!);
  });
  return { exists: true, records, problem: problems.length ? problems.join("; ") : undefined };
}

const line = (r: ManifestRecord) => `${JSON.stringify(r)}\n`;

/** Replaces the manifest atomically (temp file, fsync, rename). */
export function writeManifest(dir: string, records: Iterable<ManifestRecord>): void {
  const final = manifestPath(dir);
  const temp = `${final}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, "w");
  try {
    fs.writeSync(fd, Array.from(records, line).join(""));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, final);
}

/** Appends records one line at a time (one write each, so a kill tears at most the last). */
export class ManifestAppender {
  private readonly fd: number;

  constructor(dir: string) {
    this.fd = fs.openSync(manifestPath(dir), "a");
  }

  append(record: ManifestRecord): void {
    fs.writeSync(this.fd, line(record));
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
