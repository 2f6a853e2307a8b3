/**
 * SaliencyCut cache hits and misses of an experiment's newest run that looked
 * anything up: the last `train` row of its metrics.jsonl that has
 * `saliency: {hits, misses}` (counts of that attempt, so far). Reads only the
 * file's tail; a run being written, or a half-written line, is fine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricRow } from "../../protocol/runFiles";
import type { LastRunHits } from "../../protocol/saliencyExplorer";
import { listRuns } from "../runFolder";

const TAIL_BYTES = 256 * 1024;

/** The last train row with saliency counts in a metrics.jsonl, reading at most its last TAIL_BYTES. */
export function lastSaliencyRow(metricsFile: string): { step: number; hits: number; misses: number } | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(metricsFile, "r");
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    fs.readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString("utf8").split("\n");
    const first = length < size ? 1 : 0; // a cut first line could parse as something else
    for (let i = lines.length - 1; i >= first; i--) {
      const line = lines[i]!.trim();
      if (!line) continue;
      let row: Partial<Extract<MetricRow, { kind: "train" }>>;
      try {
        row = JSON.parse(line);
      } catch {
        continue;
      }
      const s = row?.saliency;
      if (row?.kind === "train" && s && Number.isFinite(s.hits) && Number.isFinite(s.misses)) return { step: Number(row.step) || 0, hits: s.hits, misses: s.misses };
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The newest run (of `runsDir`) whose metrics have saliency counts. */
export function lastRunHits(runsDir: string): LastRunHits | undefined {
  for (const run of listRuns(runsDir)) {
    const row = lastSaliencyRow(path.join(run.dir, "metrics.jsonl"));
    if (row) return { runId: run.id, ...row };
  }
  return undefined;
}
