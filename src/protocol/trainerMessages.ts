/**
 * Messages between the extension host and the trainer child process
 * (child_process.fork IPC). Both sides import these types.
 */
import type { EvalReport, MetricRow, RunSummary } from "./runFiles";

/** Extension → trainer. */
export type HostToTrainer =
  | { type: "start"; experimentFile: string; resumeRunDir?: string; backend?: string }
  /** Finish the current step, write a checkpoint, exit. */
  | { type: "stop" };

/** Trainer → extension. */
export type TrainerToHost =
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  | {
      type: "runStarted";
      runDir: string;
      runId: string;
      experiment: string;
      backend: string;
      epochs: number;
      stepsPerEpoch: number;
      resumedFromEpoch?: number;
    }
  | {
      type: "progress";
      epoch: number;
      step: number;
      totalSteps: number;
      loss: number;
      lr: number;
      imagesPerSec: number;
      etaSeconds: number;
    }
  | ({ type: "eval"; epoch: number } & EvalReport)
  /** A row just appended to metrics.jsonl. */
  | { type: "metric"; row: MetricRow }
  | { type: "checkpoint"; epoch: number; dir: string }
  | { type: "finished"; summary: RunSummary }
  | { type: "stopped"; summary: RunSummary }
  /** A failure; `file`/`field` are set when it is the config's fault. */
  | { type: "failed"; error: string; file?: string; field?: string; line?: number; runDir?: string };
