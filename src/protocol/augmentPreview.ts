/**
 * The augmentation preview's two channels: extension host ⇄ preview worker
 * (child_process IPC, dist/previewWorker.js) and extension host ⇄ webview
 * (postMessage, webview/augmentPreview). Both sides of each import these types.
 */
import type { ViewSpec } from "../core/config/augmentSchema";
import type { OpDraw } from "../core/augment/sample";

/** What to render: the experiment's text (unsaved edits preview too), optionally with the panel's draft views. */
export interface PreviewRequest {
  id: number;
  /** Absolute path of the *.ssl.json: dataset paths are relative to it. */
  experimentFile: string;
  configText: string;
  /** Replaces the policy's views (the panel's unsaved toggles and sliders). */
  views?: ViewSpec[];
  /** Seed of the augmentation draws and of which images are shown. The config's seed shows what training sees. */
  seed: number;
  /** How many dataset images. */
  count: number;
  /** Epoch the draws are for (RandAugment's ramp and every random stream depend on it). */
  epoch: number;
}

export interface PreviewView {
  /** "view 1", "global 2", ... */
  label: string;
  /** PNG, base64, at the view's size (before a trailing normalize). */
  png: string;
  /** Ops that fired, in order, with the parameters drawn. */
  trace: OpDraw[];
}

export interface PreviewImage {
  /** Index in the training split. */
  index: number;
  /** PNG, base64, the dataset image as decoded. */
  original: string;
  views: PreviewView[];
}

export interface PreviewResult {
  id: number;
  images: PreviewImage[];
  /** The resolved views (explicit, defaults filled): what the panel's controls edit. */
  views: ViewSpec[];
  backend: string;
  milliseconds: number;
}

/** A config problem, as the editor shows it. */
export interface PreviewIssue {
  field: string;
  line: number;
  message: string;
}

export type HostToPreviewWorker = { type: "render"; request: PreviewRequest };

export type PreviewWorkerToHost =
  | { type: "ready"; backend: string }
  | { type: "rendered"; result: PreviewResult }
  /** The config (or draft) is invalid: nothing rendered. */
  | { type: "invalid"; id: number; issues: PreviewIssue[] }
  | { type: "failed"; id: number; error: string };

/** Extension host → webview. */
export type HostToPanel =
  | { type: "settings"; file: string; seed: number; count: number; epoch: number; epochs: number; draft: boolean }
  | { type: "rendering"; id: number }
  | { type: "rendered"; result: PreviewResult }
  | { type: "invalid"; issues: PreviewIssue[] }
  | { type: "failed"; error: string };

/** Webview → extension host. */
export type PanelToHost =
  | { type: "ready" }
  | { type: "setSeed"; seed: number }
  | { type: "resample" }
  | { type: "setCount"; count: number }
  | { type: "setEpoch"; epoch: number }
  /** Change one field of one op of the draft views (p, magnitude, a range...). */
  | { type: "editOp"; view: number; op: number; field: string; value: unknown }
  /** Write the draft views into the file's augment.views (a workspace edit, undoable). */
  | { type: "writeBack" }
  /** Drop the draft and show the file's policy again. */
  | { type: "discardDraft" };
