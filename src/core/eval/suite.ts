/**
 * The evaluation protocols run together on a frozen model: what the trainer
 * runs on its schedule and `ssl-studio eval` runs on a checkpoint. Features
 * are extracted once per split and shared by the protocols that need them.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../config/schema";
import type { ImageDataset } from "../data/dataset";
import type { SslModel } from "../models/build";
import { collapseIndicators, isCollapsed } from "./collapse";
import { evalContext, imageBatch } from "./features";
import { knnAccuracy } from "./knn";
import { linearProbe } from "./linearProbe";
import { rotationProbe } from "./rotationProbe";
import { extractStageFeatures } from "./stageFeatures";
import type { EvalReport, Protocol } from "../../protocol/runFiles";

/** Images used for the rotation probe and the collapse indicators: both are statistics, not accuracies to compare with papers. */
const SAMPLE_IMAGES = 1000;

export interface EvalData {
  train: ImageDataset;
  test?: ImageDataset;
}

/** Protocols that need labels on both splits, and whether the data has them. */
function labelled({ train, test }: EvalData): boolean {
  return !!(train.labels && test?.labels);
}

/** The protocols that can run: those needing labels only on labelled data, collapse only for a method with an embedding. */
export function runnable(protocols: readonly Protocol[], data: EvalData, model: Pick<SslModel, "method">): { run: Protocol[]; skipped: Protocol[] } {
  const needsLabels = (p: Protocol) => p === "knn" || p === "linear" || p === "layers";
  const ok = (p: Protocol) => (needsLabels(p) ? labelled(data) : p === "collapse" ? !!model.method.embed : true);
  return { run: protocols.filter(ok), skipped: protocols.filter((p) => !ok(p)) };
}

function numClasses(data: EvalData): number {
  return Math.max(...data.train.labels!, ...data.test!.labels!) + 1;
}

async function knnOf(trainFeatures: tf.Tensor2D, testFeatures: tf.Tensor2D, data: EvalData, config: Experiment): Promise<number> {
  return knnAccuracy(trainFeatures, data.train.labels!, testFeatures, data.test!.labels!, {
    k: config.eval.knnK,
    temperature: config.eval.knnTemperature,
    numClasses: numClasses(data),
  });
}

async function linearOf(trainFeatures: tf.Tensor2D, testFeatures: tf.Tensor2D, data: EvalData, config: Experiment, fractions: readonly number[]) {
  return linearProbe({
    trainFeatures,
    trainLabels: data.train.labels!,
    testFeatures,
    testLabels: data.test!.labels!,
    numClasses: numClasses(data),
    fractions,
    seed: config.seed,
  });
}

/** The method's embeddings (what its loss sees) of up to SAMPLE_IMAGES images, evaluation mode; only for methods with one. */
function embeddings(model: SslModel, data: ImageDataset, size: number): tf.Tensor2D {
  const n = Math.min(SAMPLE_IMAGES, data.count);
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < n; start += 250) {
    parts.push(tf.tidy(() => model.method.embed!(imageBatch(data, start, Math.min(250, n - start), size), evalContext())));
  }
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

/**
 * Runs `protocols` (those the data allows) and reports what they measured;
 * `progress` names each protocol as it starts, for long evaluations.
 */
export async function evaluateModel(
  model: SslModel,
  data: EvalData,
  config: Experiment,
  protocols: readonly Protocol[],
  progress: (protocol: Protocol) => void = () => {},
): Promise<EvalReport> {
  const { run } = runnable(protocols, data, model);
  const report: EvalReport = {};
  const size = config.imageSize;
  if (run.includes("knn") || run.includes("linear") || run.includes("layers")) {
    const train = extractStageFeatures(model.backbone, data.train, size);
    const test = extractStageFeatures(model.backbone, data.test!, size);
    try {
      const last = train.length - 1;
      if (run.includes("knn")) {
        progress("knn");
        report.knn = await knnOf(train[last]!, test[last]!, data, config);
      }
      if (run.includes("linear")) {
        progress("linear");
        report.linear = (await linearOf(train[last]!, test[last]!, data, config, config.eval.linearFractions)).map((r) => ({
          fraction: r.fraction,
          trainCount: r.trainCount,
          lr: r.lr,
          valAccuracy: r.valAccuracy,
          accuracy: r.testAccuracy,
        }));
      }
      if (run.includes("layers")) {
        progress("layers");
        report.layers = [];
        for (const [i, stage] of model.backbone.stageNames.entries()) {
          const [linear] = await linearOf(train[i]!, test[i]!, data, config, [1]);
          report.layers.push({ stage, knn: await knnOf(train[i]!, test[i]!, data, config), linear: linear!.testAccuracy });
        }
      }
    } finally {
      tf.dispose([...train, ...test]);
    }
  }
  if (run.includes("rotation")) {
    progress("rotation");
    report.rotation = (await rotationProbe(model.backbone, data.train, { size, seed: config.seed, maxImages: SAMPLE_IMAGES })).accuracy;
  }
  if (run.includes("collapse")) {
    progress("collapse");
    const z = embeddings(model, data.test ?? data.train, size);
    try {
      const c = await collapseIndicators(z);
      report.collapse = { std: c.normalizedStd, stdRatio: c.stdRatio, effectiveRank: c.effectiveRank, dim: c.dim, collapsed: isCollapsed(c, c.dim) };
    } finally {
      z.dispose();
    }
  }
  return report;
}

/** One line for logs and events, e.g. "kNN 77.20%; linear 1% 64.50% / 10% 76.20% / 100% 80.60%; ...". */
export function describeReport(r: EvalReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const parts: string[] = [];
  if (r.knn !== undefined) parts.push(`kNN ${pct(r.knn)}`);
  if (r.linear) parts.push(`linear ${r.linear.map((l) => `${+(l.fraction * 100).toFixed(2)}% ${pct(l.accuracy)}`).join(" / ")}`);
  if (r.layers) parts.push(`layers ${r.layers.map((l) => `${l.stage} kNN ${pct(l.knn)} linear ${pct(l.linear)}`).join(", ")}`);
  if (r.rotation !== undefined) parts.push(`rotation proxy ${pct(r.rotation)}`);
  if (r.collapse) {
    parts.push(`embedding std ${r.collapse.std.toFixed(4)} (healthy ~${(1 / Math.sqrt(r.collapse.dim)).toFixed(4)}), effective rank ${r.collapse.effectiveRank.toFixed(1)}/${r.collapse.dim}`);
  }
  return parts.join("; ");
}
