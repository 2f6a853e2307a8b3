/**
 * Evaluations run on a checkpoint after its run (the Checkpoint Browser's
 * "Evaluate now"), kept in the checkpoint's own folder as eval.json: the
 * training log (metrics.jsonl) stays what the run wrote, and the results
 * go wherever the checkpoint goes (a rewound resume that saves this
 * checkpoint again replaces the folder, and with it these results).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EvalReport } from "../../protocol/runFiles";
import { writeJsonAtomic } from "./atomicFile";

export const EVAL_FILE = "eval.json";

export interface CheckpointEval {
  /** ISO time of the latest evaluation merged in. */
  at: string;
  /** Every protocol evaluated so far, each from its latest run. */
  report: EvalReport;
}

export function readCheckpointEval(checkpointDir: string): CheckpointEval | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(path.join(checkpointDir, EVAL_FILE), "utf8")) as CheckpointEval;
    return value && typeof value.report === "object" && value.report ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Merges `report` into the checkpoint's eval.json (a protocol run again replaces its old result) and returns what is stored. */
export function recordCheckpointEval(checkpointDir: string, report: EvalReport, now = new Date()): CheckpointEval {
  const merged: CheckpointEval = { at: now.toISOString(), report: { ...readCheckpointEval(checkpointDir)?.report, ...report } };
  writeJsonAtomic(path.join(checkpointDir, EVAL_FILE), merged);
  return merged;
}
