/**
 * The Saliency Explorer's two channels: extension host ⇄ explorer worker
 * (child_process IPC, dist/saliencyExplorer.js, built from
 * src/trainer/saliencyExplorerMain.ts) and extension host ⇄ webview
 * (postMessage, webview/saliencyExplorer). Both sides of each import these
 * types. IPC serialises as JSON: no Infinity, no typed arrays (images travel
 * as base64 PNGs).
 */
import type { SaliencyParams } from "../core/config/saliencySchema";
import type { StageTiming } from "../core/saliency/types";

export type { SaliencyParams, StageTiming };

/** Which image SaliencyCut runs on. */
export type ImageSource =
  /** A file decoded at its own size, as `ssl-studio saliency` does. */
  | { kind: "file"; file: string }
  /** Training image `index` of the experiment, as the dataset loader decodes it (image folders at imageSize): the pixels the cache keys. */
  | { kind: "dataset"; experimentFile: string; index: number };

export interface ExploreRequest {
  id: number;
  source: ImageSource;
  params: SaliencyParams;
  /** Seed of the region map's random palette (0 = the palette `ssl-studio saliency --regions` uses). */
  paletteSeed: number;
}

/** The six pictures, PNG as base64, each at the image's size. */
export interface ExploreImages {
  original: string;
  /** Histogram-contrast saliency, gray (white = salient). */
  hc: string;
  /** Region-contrast saliency, gray. */
  rc: string;
  /** The first GrabCut round's trimap, colour-coded (TRIMAP_COLOURS). */
  trimap: string;
  /** Final mask: white = salient object. */
  mask: string;
  /** The object's regions (and the background) recoloured with the palette. */
  regions: string;
}

export interface ExploreResult {
  id: number;
  /** What ran: a file name or "training image #i (class)". */
  label: string;
  width: number;
  height: number;
  images: ExploreImages;
  /** Maps the setting does not use (map "rc" needs no HC), computed for the picture only and not part of the timings. */
  displayOnly: ("hc" | "rc")[];
  /** SaliencyCut's stages, in order. */
  timings: StageTiming[];
  decodeMs: number;
  /** The whole request in the worker: decoding, SaliencyCut, the display-only map and PNG encoding. */
  totalMs: number;
  rounds: number;
  regionCount: number;
  grabCutFellBack: boolean;
  /** Pixels in the final mask. */
  maskPixels: number;
  params: SaliencyParams;
}

/** RGB of each trimap value (OpenCV GrabCut: 0 bg, 1 fg, 2 probably bg, 3 probably fg). */
export const TRIMAP_COLOURS: readonly (readonly [number, number, number])[] = [
  [0, 0, 0],
  [255, 255, 255],
  [40, 70, 160],
  [240, 160, 40],
];
export const TRIMAP_NAMES = ["background", "foreground", "probably background", "probably foreground"] as const;

export interface ImageListRequest {
  id: number;
  experimentFile: string;
}

/** The experiment's training images as the panel offers them. */
export interface ImageList {
  id: number;
  experimentFile: string;
  format: "embedded" | "idx" | "cifar10" | "folder";
  count: number;
  /** Absolute source file of each image (image folders), in dataset order. */
  files?: string[];
  /** Class name of each image, when the dataset is labelled. */
  classes?: string[];
  /** Size the loader decodes to (image folders: imageSize x imageSize; others: native). */
  width: number;
  height: number;
}

export interface StatsRequest {
  id: number;
  experimentFile: string;
}

export interface ImageFailureInfo {
  index: number;
  file?: string;
  reason: string;
}

/** cacheStats of the experiment's cache, over its training split. */
export interface CacheStatsReport {
  id: number;
  experimentFile: string;
  /** Absolute cache folder. */
  dir: string;
  params: SaliencyParams;
  version: number;
  /** Readable entry files, whatever their settings. */
  entries: number;
  /** With the experiment's settings and this SaliencyCut version. */
  current: number;
  /** Stale: another SaliencyCut version. */
  staleVersion: number;
  /** Stale: other settings. */
  staleParams: number;
  unreadable: number;
  diskBytes: number;
  images: number;
  cached: number;
  /** Training images without a current entry (failed ones included). */
  missing: number;
  failedCount: number;
  /** The first few failures. */
  failed: ImageFailureInfo[];
  repairs: string[];
}

export interface BuildRequest {
  id: number;
  experimentFile: string;
  /** Worker threads; default: every core. */
  workers?: number;
}

export interface BuildProgressInfo {
  phase: "decoding" | "computing";
  done: number;
  total: number;
  cachedBefore: number;
  failed: number;
  imagesPerSecond: number;
  /** null until the first image is finished. */
  etaSeconds: number | null;
}

export interface BuildSummaryInfo {
  total: number;
  cachedBefore: number;
  computed: number;
  failedCount: number;
  failed: ImageFailureInfo[];
  repaired: number;
  cancelled: boolean;
  seconds: number;
  imagesPerSecond: number;
}

/** An experiment file problem, as other commands name it: file, line, field. */
export interface ExperimentIssue {
  file: string;
  line: number;
  field: string;
  message: string;
}

export type HostToExplorerWorker =
  | { type: "explore"; request: ExploreRequest }
  | { type: "listImages"; request: ImageListRequest }
  | { type: "stats"; request: StatsRequest }
  | { type: "build"; request: BuildRequest }
  /** Stops build `id`: images in progress are dropped, finished ones stay cached (the next build resumes). */
  | { type: "cancelBuild"; id: number };

export type ExplorerWorkerToHost =
  | { type: "ready" }
  | { type: "explored"; result: ExploreResult }
  | { type: "images"; list: ImageList }
  | { type: "stats"; stats: CacheStatsReport }
  | { type: "buildProgress"; id: number; progress: BuildProgressInfo }
  | { type: "built"; id: number; summary: BuildSummaryInfo }
  /** A newer explore request replaced this one before it ran. */
  | { type: "superseded"; id: number }
  /** The experiment file has problems: nothing done. */
  | { type: "invalid"; id: number; issues: ExperimentIssue[] }
  | { type: "failed"; id: number; error: string };

// ---- extension host ⇄ webview ----

/** The image the panel shows: a file, or a training image of an index dataset. */
export type Selection = { kind: "file"; file: string } | { kind: "index"; index: number };

export interface PanelExperiment {
  file: string;
  /** Relative to the workspace, for the header. */
  label: string;
  /** The experiment's saliency settings (the sliders' "reset"). */
  params: SaliencyParams;
}

export interface PanelImages {
  format: ImageList["format"];
  count: number;
  /** Image folders: each file relative to the experiment's folder. Other formats: each image's class (empty when unlabelled). */
  labels: string[];
  /** Absolute files (image folders). */
  files?: string[];
  width: number;
  height: number;
}

export interface PanelSettings {
  type: "settings";
  experiment?: PanelExperiment;
  /** The experiment's training images, once listed. */
  images?: PanelImages;
  /** Why the images could not be listed. */
  imagesError?: string;
  selection?: Selection;
  /** Label of the selection (a file relative to the workspace, or "#i"). */
  selectionLabel?: string;
  /** Index of the selection in `images` (-1: a file outside the dataset). */
  selectionIndex: number;
  /** Run on the pixels training sees (decoded to imageSize, the cache's key) instead of the file at its own size. */
  training: boolean;
  /** Whether `training` can be switched (only for files of an image-folder dataset). */
  trainingChoice: boolean;
  params: SaliencyParams;
  paletteSeed: number;
}

export interface LastRunHits {
  runId: string;
  hits: number;
  misses: number;
  step: number;
}

export interface PanelStats {
  type: "stats";
  stats?: CacheStatsReport;
  /** Hits and misses of the experiment's newest run that used the cache. */
  lastRun?: LastRunHits;
  error?: string;
  loading: boolean;
}

export type PanelBuild =
  | { type: "build"; state: "running"; progress?: BuildProgressInfo }
  | { type: "build"; state: "done"; summary: BuildSummaryInfo }
  | { type: "build"; state: "failed"; error: string }
  | { type: "build"; state: "idle" };

/** Extension host → webview. */
export type HostToPanel =
  | PanelSettings
  | { type: "exploring"; id: number }
  | { type: "explored"; result: ExploreResult }
  /** The experiment file has problems (the image list, the stats and dataset images wait for a fix). */
  | { type: "issues"; issues: ExperimentIssue[] }
  | { type: "failed"; id?: number; error: string }
  | PanelStats
  | PanelBuild;

/** Webview → extension host. */
export type PanelToHost =
  | { type: "ready" }
  | { type: "select"; selection: Selection }
  | { type: "setParams"; params: Partial<SaliencyParams> }
  /** Back to the experiment's settings. */
  | { type: "resetParams" }
  | { type: "setTraining"; training: boolean }
  /** A new palette for the region map. */
  | { type: "recolour" }
  | { type: "buildCache" }
  | { type: "cancelBuild" }
  | { type: "refreshStats" }
  /** Choose an image file with the open dialog. */
  | { type: "pickFile" }
  /** Choose another experiment (its settings, images and cache). */
  | { type: "pickExperiment" }
  /** Opens a file (the experiment at a problem's line). */
  | { type: "open"; file: string; line?: number };
