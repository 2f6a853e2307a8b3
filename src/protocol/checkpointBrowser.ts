/**
 * The Checkpoint Browser's two channels: extension host ⇄ checkpoint worker
 * (child_process IPC, dist/checkpointBrowser.js, built from
 * src/trainer/checkpointBrowserMain.ts) and extension host ⇄ webview
 * (postMessage, webview/checkpointBrowser). Both sides of each import these
 * types. IPC serialises as JSON: images travel as base64 PNGs.
 */
import type { EvalReport, Protocol } from "./runFiles";

export type { EvalReport, Protocol };

/** The probes the browser offers: the label-free rotation proxy and the two that need labels. */
export const BROWSER_PROTOCOLS = ["knn", "linear", "rotation"] as const satisfies readonly Protocol[];
export type BrowserProtocol = (typeof BROWSER_PROTOCOLS)[number];

/**
 * Work on one checkpoint folder (runs/<experiment>/<run>/checkpoints/<n>),
 * with the model and data its run's config.json records.
 */
export type CheckpointJob =
  /** The protocols on the checkpoint; the report is merged into its eval.json. */
  | { kind: "evaluate"; checkpoint: string; protocols: Protocol[] }
  /** The backbone as a TensorFlow.js Layers model folder (model.json + weights.bin) in `outDir`. */
  | { kind: "exportModel"; checkpoint: string; outDir: string }
  /** Backbone features of the test split (or the train split without one) as vectors.tsv + metadata.tsv in `outDir`; `count` caps the images. */
  | { kind: "exportEmbeddings"; checkpoint: string; outDir: string; count?: number }
  /** `queries` test images and the `k` training images nearest to each by cosine similarity of backbone features. */
  | { kind: "neighbours"; checkpoint: string; queries: number; k: number };

export interface ExportedFile {
  name: string;
  bytes: number;
}

/** An image of the run's dataset as a PNG (base64), at the dataset's own size. */
export interface GalleryImage {
  split: "train" | "test";
  index: number;
  /** Class name (or number) when the data is labelled. */
  label?: string;
  png: string;
}

export interface NeighbourGallery {
  checkpoint: string;
  queries: { query: GalleryImage; neighbours: (GalleryImage & { similarity: number })[] }[];
}

export type JobResult =
  | { kind: "evaluate"; report: EvalReport }
  | { kind: "exportModel"; outDir: string; files: ExportedFile[] }
  | { kind: "exportEmbeddings"; outDir: string; files: ExportedFile[]; rows: number; dim: number }
  | { kind: "neighbours"; gallery: NeighbourGallery };

/** Extension host → worker. */
export type HostToCheckpointWorker = { type: "run"; id: number; job: CheckpointJob };

/** Worker → extension host. Jobs run one at a time, in the order sent. */
export type CheckpointWorkerToHost =
  | { type: "ready"; backend: string }
  | { type: "progress"; id: number; message: string }
  | { type: "done"; id: number; result: JobResult; seconds: number }
  | { type: "failed"; id: number; error: string };

// ---- the panel ----

/** One row of the table: a complete checkpoint and what is known about it. */
export interface CheckpointRow {
  /** The checkpoint folder: the row's key. */
  dir: string;
  runId: string;
  runDir: string;
  /** Folder name: "3", or "3.17" for a stop 17 steps into epoch 4. */
  name: string;
  /** "epoch 3" or "epoch 3 + 17 steps". */
  label: string;
  epoch: number;
  step: number;
  /** ISO time it was saved. */
  savedAt: string;
  loss?: number;
  knn?: number;
  /** The linear probe with the most labels. */
  linear?: number;
  rotation?: number;
  /** Bytes of the checkpoint's files (meta.json's list). */
  bytes: number;
  backend: string;
  /** MAE's reconstructions saved with the evaluation at this checkpoint, relative to the run folder. */
  snapshot?: string;
  /** Whether "Resume from here" can work: the run is not running and has epochs left after this checkpoint. */
  resumable: boolean;
  /** Why its backbone cannot be exported as a TF.js model (ViT), if so. */
  exportProblem?: string;
}

export interface PanelTable {
  type: "table";
  /** "Checkpoints of <run> (<experiment>)" or "Checkpoints of <experiment> (N runs)". */
  title: string;
  /** Whether rows come from several runs (the run column shows). */
  allRuns: boolean;
  rows: CheckpointRow[];
  selected?: string;
}

export const BROWSER_ACTIONS = ["evaluate", "resume", "newExperiment", "exportModel", "exportEmbeddings", "neighbours", "reveal", "delete"] as const;
export type BrowserAction = (typeof BROWSER_ACTIONS)[number];

/** What became of an action, shown under the table (the newest per action). */
export interface PanelJob {
  type: "job";
  action: BrowserAction;
  checkpoint: string;
  state: "running" | "done" | "failed";
  message: string;
}

/** Extension host → webview. */
export type HostToPanel =
  | PanelTable
  | PanelJob
  /** The selected checkpoint's MAE reconstructions (base64 PNG), when its run saved them. */
  | { type: "snapshot"; checkpoint: string; label: string; png?: string }
  | { type: "gallery"; gallery: NeighbourGallery };

/** Webview → extension host. */
export type PanelToHost =
  | { type: "ready" }
  | { type: "refresh" }
  | { type: "select"; checkpoint: string }
  | { type: "evaluate"; checkpoint: string; protocol: BrowserProtocol }
  | { type: "newExperiment"; checkpoint: string; trainable: "all" | "batchnorm" }
  | { type: "exportEmbeddings"; checkpoint: string; count?: number }
  | { type: "resume" | "exportModel" | "neighbours" | "reveal" | "delete"; checkpoint: string };
