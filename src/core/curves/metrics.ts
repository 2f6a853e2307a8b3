/**
 * What the loss-curves panel can plot: train-row metrics (one point per
 * logged step) and eval-row metrics (one per evaluation), and the x axes.
 * The ids are the column names of RunSeries's tables.
 */

export const X_AXES = ["step", "epoch", "time"] as const;
export type XAxis = (typeof X_AXES)[number];
export const X_AXIS_LABELS: Record<XAxis, string> = { step: "Step", epoch: "Epoch", time: "Wall time (s)" };

export interface CurveMetric {
  id: string;
  label: string;
  table: "train" | "eval";
  /** Accuracies are stored in [0, 1] and shown as percentages. */
  percent?: boolean;
}

export const CURVE_METRICS = [
  { id: "loss", label: "Loss", table: "train" },
  { id: "lr", label: "Learning rate", table: "train" },
  { id: "imagesPerSec", label: "Images/s", table: "train" },
  { id: "knn", label: "kNN top-1", table: "eval", percent: true },
  { id: "linear", label: "Linear probe", table: "eval", percent: true },
  { id: "rotation", label: "Rotation probe (label-free)", table: "eval", percent: true },
  { id: "collapseStd", label: "Collapse std", table: "eval" },
] as const satisfies readonly CurveMetric[];
export type MetricId = (typeof CURVE_METRICS)[number]["id"];

export const metricById = (id: string): CurveMetric | undefined => CURVE_METRICS.find((m) => m.id === id);
