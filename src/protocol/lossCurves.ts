/**
 * Messages between the extension host and the loss-curves webview
 * (webview/lossCurves/). The host holds every run's full-resolution series;
 * the page asks for a view (metric, x axis, smoothing, visible range, width)
 * and gets back only the points it can draw.
 */
import type { XAxis } from "../core/curves/metrics";

export interface CurveView {
  metric: string;
  xAxis: XAxis;
  /** EMA weight in [0, 0.999]. */
  smoothing: number;
  logScale: boolean;
  /** Visible x range; the whole runs when absent. */
  range?: [number, number];
  /** Plot width in CSS pixels: the host sends a few points per pixel. */
  width: number;
  /** A config field ("method.temperature") that colours the runs; absent: one colour per run. */
  colorBy?: string;
}

export type RunCondition = "running" | "finished" | "stopped" | "failed" | "interrupted" | "unknown";

/** A run the panel can show. */
export interface PanelRun {
  runDir: string;
  runId: string;
  /** The experiment's name (its file name without .ssl.json). */
  experiment: string;
  state: RunCondition;
  shown: boolean;
}

/** How a run's colour is chosen: its place among the runs, or its value of the colour-by field. */
export type RunColor = { index: number } | { t: number } | { category: number };

export interface PlotRun {
  runDir: string;
  label: string;
  color: RunColor;
  x: Float64Array;
  raw: Float64Array;
  smooth: Float64Array;
  /** Points in the visible range at full resolution. */
  inRange: number;
  live: boolean;
}

export interface ColorLegend {
  field: string;
  /** A numeric field: a gradient from min to max. */
  range?: [number, number];
  /** A field of other values: one colour each. */
  categories?: string[];
}

export type HostToPanel =
  | { type: "runs"; runs: PanelRun[]; colorFields: string[] }
  | {
      type: "plot";
      /** The view request this answers (0: a live update or a change of runs). */
      id: number;
      view: CurveView;
      runs: PlotRun[];
      /** x of the first and last point over the shown runs: a zoom-out goes back to it. */
      extent?: [number, number];
      legend?: ColorLegend;
      /** Milliseconds the host took (smoothing + downsampling + reading what was not in memory). */
      millis: number;
    }
  | { type: "error"; message: string };

export type RunAction = "reveal" | "checkpoints" | "openFolder";

export type PanelToHost =
  | { type: "ready" }
  | { type: "view"; id: number; view: CurveView }
  | { type: "setRuns"; runDirs: string[] }
  | { type: "select"; runDir?: string }
  | { type: "runAction"; runDir: string; action: RunAction }
  | { type: "exportCsv" }
  | { type: "exportPng"; dataUrl: string }
  /** The page drew an answer: how many points and how long it took (for the log and the tests). */
  | { type: "drawn"; id: number; points: number; millis: number };
