/**
 * The files of a run directory (runs/<experiment>/<runId>/), written by the
 * trainer and read by the extension's tree and panels. One type per file row.
 */

/** A line of metrics.jsonl: a logged training step or an evaluation. */
export type MetricRow =
  | {
      kind: "train";
      step: number;
      epoch: number;
      loss: number;
      lr: number;
      imagesPerSec: number;
      /** Seconds since the run (first attempt) started. */
      time: number;
    }
  | {
      kind: "eval";
      step: number;
      epoch: number;
      knn: number;
      time: number;
    };

export type RunEventType =
  | "started"
  | "resumed"
  | "backend"
  | "data"
  | "skipped-image"
  | "checkpoint"
  | "eval"
  | "warning"
  | "finished"
  | "stopped"
  | "failed";

/** A line of events.jsonl: lifecycle, warnings and errors, readable by people. */
export interface RunEvent {
  /** ISO time. */
  at: string;
  type: RunEventType;
  message: string;
  /** Extra machine-readable fields (e.g. the skipped file, the checkpoint epoch). */
  data?: Record<string, unknown>;
}

export type RunStatus = "running" | "finished" | "stopped" | "failed";

/** summary.json: written when the run starts and rewritten at every checkpoint and at the end. */
export interface RunSummary {
  experiment: string;
  runId: string;
  method: string;
  status: RunStatus;
  /** Process id of the trainer while running, to tell a live run from a killed one. */
  pid?: number;
  backend: string;
  startedAt: string;
  endedAt?: string;
  epochs: number;
  epochsDone: number;
  steps: number;
  finalLoss?: number;
  /** kNN top-1 accuracy (0..1) of the randomly initialised backbone (epoch 0). */
  knnInitial?: number;
  /** kNN top-1 accuracy (0..1) at the last evaluation. */
  knnFinal?: number;
  trainImages: number;
  skippedImages: number;
  /** Seconds of training, summed over attempts (resumes). */
  wallSeconds: number;
  error?: string;
}

/** checkpoints/<epoch>/meta.json: the last file written, so its presence marks a complete checkpoint. */
export interface CheckpointMeta {
  epoch: number;
  step: number;
  savedAt: string;
  loss: number;
  knn?: number;
  backend: string;
  seed: number;
  /** Wall seconds of training up to this checkpoint. */
  wallSeconds: number;
  /** File names in this folder with their byte sizes. */
  files: Record<string, number>;
}
