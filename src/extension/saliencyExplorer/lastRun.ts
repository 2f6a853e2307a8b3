/**
 * SaliencyCut cache hits and misses of an experiment's newest run that looked
 * anything up: the last `train` row of its metrics.jsonl that has
 * `saliency: {hits, misses}` (counts of that attempt, so far). Reads only the
 * file's tail; a run being written, or a half-written line, is fine.
 */
import * as path from "node:path";
import { findLastJsonLine } from "../../core/run/jsonLinesTail";
import type { MetricRow } from "../../protocol/runFiles";
import type { LastRunHits } from "../../protocol/saliencyExplorer";
import { listRuns } from "../runFolder";

const TAIL_BYTES = 256 * 1024;

type TrainRow = Extract<MetricRow, { kind: "train" }>;

const hasCounts = (v: unknown): boolean => {
  const row = v as Partial<TrainRow> | null;
  return row?.kind === "train" && !!row.saliency && Number.isFinite(row.saliency.hits) && Number.isFinite(row.saliency.misses);
};

/** The last train row with saliency counts in a metrics.jsonl, reading at most its last TAIL_BYTES. */
export function lastSaliencyRow(metricsFile: string): { step: number; hits: number; misses: number } | undefined {
  const row = findLastJsonLine<TrainRow>(metricsFile, hasCounts, TAIL_BYTES);
  return row?.saliency && { step: Number(row.step) || 0, hits: row.saliency.hits, misses: row.saliency.misses };
}

/** The newest run (of `runsDir`) whose metrics have saliency counts. */
export function lastRunHits(runsDir: string): LastRunHits | undefined {
  for (const run of listRuns(runsDir)) {
    const row = lastSaliencyRow(path.join(run.dir, "metrics.jsonl"));
    if (row) return { runId: run.id, ...row };
  }
  return undefined;
}
