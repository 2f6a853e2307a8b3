/**
 * The files of a run directory (runs/<experiment>/<runId>/), written by the
 * trainer and read by the extension's tree and panels. One type per file row.
 */
import type { EVAL_PROTOCOLS } from "../core/config/schema";

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
      /** SaliencyCut cache lookups of the saliencyCut op so far in this attempt. */
      saliency?: { hits: number; misses: number };
    }
  | ({
      kind: "eval";
      step: number;
      epoch: number;
      time: number;
      /** The method's picture of this evaluation (MAE: originals, masked inputs, reconstructions), relative to the run folder. */
      snapshot?: string;
    } & EvalReport);

/** The numbers of a train row, in the order of metrics.train.f64's records. */
export const TRAIN_FIELDS = ["step", "epoch", "time", "loss", "lr", "imagesPerSec"] as const;
export type TrainField = (typeof TRAIN_FIELDS)[number];
/** The plotted numbers of an eval row, in the order of metrics.eval.f64's records (NaN: not measured). */
export const EVAL_FIELDS = ["step", "epoch", "time", "knn", "linear", "rotation", "collapseStd"] as const;
export type EvalField = (typeof EVAL_FIELDS)[number];

/** Evaluation protocols (the config's eval.protocols / eval.final, `ssl-studio eval --protocol`). */
export type Protocol = (typeof EVAL_PROTOCOLS)[number];

/** What an evaluation measured; a protocol that did not run leaves its field out. Accuracies are in [0, 1]. */
export interface EvalReport {
  /** kNN top-1 on the test split. */
  knn?: number;
  /** Linear probes: test accuracy of the learning rate chosen on the held-out part of the train split. */
  linear?: { fraction: number; trainCount: number; lr: number; valAccuracy: number; accuracy: number }[];
  /** kNN and linear (all labels) on the features after each backbone stage. */
  layers?: { stage: string; knn: number; linear: number }[];
  /** 4-way rotation accuracy of a linear probe (label-free; chance 0.25). */
  rotation?: number;
  collapse?: {
    /** Mean per-dimension std of the L2-normalised embeddings: ~1/sqrt(dim) healthy, 0 collapsed. */
    std: number;
    stdRatio: number;
    effectiveRank: number;
    dim: number;
    collapsed: boolean;
  };
}

export type RunEventType =
  | "started"
  | "resumed"
  | "init"
  | "backend"
  | "data"
  | "skipped-image"
  | "checkpoint"
  | "eval"
  | "warning"
  /** The loss became NaN or infinite; the run stops with its last good checkpoint. */
  | "diverged"
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
  /** Everything the final evaluation measured. */
  finalEval?: EvalReport;
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
