/**
 * Reads run directories (runs/<experiment>/<runId>/) into plain data for the
 * tree and the pickers. The trainer may be writing these files while we read
 * them, and a killed trainer can leave anything behind, so every reader here
 * returns a description of what it found instead of throwing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricRow, RunStatus, RunSummary } from "../protocol/runFiles";
import { listCheckpoints as listCheckpointFolders, type CheckpointInfo } from "../core/run/checkpoint";
import { readLastJsonLine } from "../core/run/jsonLinesTail";

export type { CheckpointInfo };

/** What the tree shows: the summary's status, plus the states only a reader can infer. */
export type RunState = RunStatus | "interrupted" | "unknown";

export interface RunInfo {
  id: string;
  dir: string;
  summary?: RunSummary;
  /** Why the summary could not be used (missing, half-written, not a summary). */
  summaryProblem?: string;
  state: RunState;
  /** Complete checkpoints (those with a readable meta.json), oldest first. */
  checkpoints: CheckpointInfo[];
  /** The last metrics.jsonl row, for runs that are still going. */
  lastMetric?: MetricRow;
  /** Newest first when sorted descending. */
  sortKey: string;
}

export type JsonRead<T> = { ok: true; value: T } | { ok: false; missing: boolean; error: string };

export function readJsonFile<T = unknown>(file: string): JsonRead<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { ok: false, missing: err.code === "ENOENT", error: err.code === "ENOENT" ? "missing" : err.message };
  }
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch (e) {
    return { ok: false, missing: false, error: text.trim() === "" ? "empty file" : `not valid JSON (${(e as Error).message})` };
  }
}

/**
 * Whether a process id is alive on this machine. EPERM means it exists but
 * belongs to someone else, which still means the run's trainer may be alive.
 */
export function isProcessAlive(pid: unknown): boolean {
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const STATUSES: readonly RunStatus[] = ["running", "finished", "stopped", "failed"];

function asSummary(value: unknown): RunSummary | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const status = (value as { status?: unknown }).status;
  return STATUSES.includes(status as RunStatus) ? (value as RunSummary) : undefined;
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith("."))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

export function listCheckpoints(runDir: string): CheckpointInfo[] {
  return listCheckpointFolders(path.join(runDir, "checkpoints"));
}

function mtimeIso(p: string): string {
  try {
    return fs.statSync(p).mtime.toISOString();
  } catch {
    return "";
  }
}

export interface ReadRunOptions {
  /** Injected in tests; defaults to a signal-0 probe. */
  isAlive?: (pid: number) => boolean;
}

export function readRun(dir: string, options: ReadRunOptions = {}): RunInfo {
  const isAlive = options.isAlive ?? isProcessAlive;
  const id = path.basename(dir);
  const read = readJsonFile(path.join(dir, "summary.json"));
  const summary = read.ok ? asSummary(read.value) : undefined;
  let summaryProblem: string | undefined;
  if (!read.ok) summaryProblem = read.missing ? "summary.json is missing" : `summary.json is unreadable: ${read.error}`;
  else if (!summary) summaryProblem = "summary.json has no valid status";

  let state: RunState = summary?.status ?? "unknown";
  // A "running" summary is only true while its trainer lives; without a pid we cannot tell, so believe it.
  if (state === "running" && typeof summary?.pid === "number" && !isAlive(summary.pid)) state = "interrupted";

  const lastRow = state === "running" ? readLastJsonLine(path.join(dir, "metrics.jsonl")) : undefined;
  const lastMetric =
    lastRow && typeof lastRow === "object" && typeof (lastRow as { epoch?: unknown }).epoch === "number"
      ? (lastRow as MetricRow)
      : undefined;

  return {
    id,
    dir,
    summary,
    summaryProblem,
    state,
    checkpoints: listCheckpoints(dir),
    lastMetric,
    sortKey: (typeof summary?.startedAt === "string" && summary.startedAt) || mtimeIso(dir) || id,
  };
}

/** Every run of an experiment, newest first. A missing runs folder is simply no runs. */
export function listRuns(runsDir: string, options: ReadRunOptions = {}): RunInfo[] {
  return subdirs(runsDir)
    .map((name) => readRun(path.join(runsDir, name), options))
    .sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : b.id.localeCompare(a.id)));
}

export function isResumable(run: RunInfo): boolean {
  return run.state !== "running" && run.state !== "finished" && run.checkpoints.length > 0;
}
