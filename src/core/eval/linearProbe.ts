/**
 * Linear probe on frozen features: a softmax-regression classifier trained on
 * standardised features, its learning rate picked on a held-out part of the
 * train split (never on test), at several label fractions (1%, 10%, 100%).
 *
 * The trainer here (`selectLinearClassifier`) is the only one: the rotation
 * probe (rotationProbe.ts) uses it too.
 *
 * Choices, and why:
 * - Plain typed-array arithmetic once the features are read back: the result
 *   is then identical on every tfjs backend (as training is, see random.ts),
 *   and it is faster than the tfjs `cpu` backend, which spends more time in
 *   gather, softmax and the optimiser's small element-wise ops than in the two
 *   matmuls per step (5,000 x 256 features, three fractions: ~3 s here against
 *   ~13 s for the same algorithm in tf ops on `cpu`, ~2.3 s on `wasm`).
 * - Adam, not SGD: SSL features are strongly correlated, so the curvature of
 *   the softmax loss varies by orders of magnitude between backbones and
 *   layers, and a plain-SGD rate that is stable on one diverges on another;
 *   Adam's per-coordinate step is about `lr` whatever the gradient's scale,
 *   which lets one small grid serve every feature set.
 * - lr grid [0.1, 0.01, 0.001] with cosine decay to 0: on standardised
 *   features a good classifier's weights are O(0.01..1), and each Adam step
 *   moves a weight by at most ~lr, so over the few hundred steps of a probe
 *   1e-3 is the slow, smooth (implicitly regularised) end and 1e-1 the fast
 *   end whose noise the cosine decay anneals; three decades cover both
 *   separable features (which want the fast end) and noisy ones.
 * - Weight decay 5e-4 as an L2 term of the loss (not decoupled): the objective
 *   is the classic regularised multinomial logistic regression, with one
 *   optimum whatever the optimiser; 5e-4 is the value of Goyal et al. 2019's
 *   layer-probing benchmark. It matters most at 1%, where the classes are
 *   separable and unregularised weights would grow without bound.
 * - Every rate of the grid is trained at once, as the row blocks of one
 *   [rates*classes, d] weight matrix seeing the same batches: the rates are
 *   compared on the same data order, and a batch row is read once per step.
 * - Features are standardised with the mean and std of the whole part of the
 *   train split used for training (no labels needed, so the 1% and 10%
 *   fractions use the statistics of all those images, as a low-label setting
 *   still has every image); the held-out part is shared by all fractions.
 * - At least `minSteps` steps, so that the tiny 1% subsets (one batch per
 *   epoch) still converge.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../random";
import { balancedSubset, heldOutSplit } from "./labelFraction";

export const DEFAULT_PROBE_LRS: readonly number[] = [0.1, 0.01, 0.001];
export const DEFAULT_PROBE_WEIGHT_DECAY = 5e-4;
export const DEFAULT_PROBE_EPOCHS = 10;
export const DEFAULT_PROBE_MIN_STEPS = 100;
export const DEFAULT_PROBE_BATCH = 256;

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/** A row-major [rows, cols] matrix of features read back from the backend. */
export interface FeatureMatrix {
  values: Float32Array;
  rows: number;
  cols: number;
}

export interface LabelledFeatures {
  features: FeatureMatrix;
  labels: Int32Array;
}

/** Reads a [rows, cols] tensor back once (the tensor is left alone; treat the values as read-only). */
export async function readFeatures(t: tf.Tensor2D): Promise<FeatureMatrix> {
  const data = await t.data();
  return { values: data instanceof Float32Array ? data : Float32Array.from(data), rows: t.shape[0], cols: t.shape[1] };
}

/** The rows `indices` of `m`, in that order, as a new matrix. */
export function selectRows(m: FeatureMatrix, indices: ArrayLike<number>): FeatureMatrix {
  const values = new Float32Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) values.set(m.values.subarray(indices[i]! * m.cols, (indices[i]! + 1) * m.cols), i * m.cols);
  return { values, rows: indices.length, cols: m.cols };
}

/**
 * `xs` standardised with the per-dimension mean and (population) std of
 * `reference`; dimensions with no spread are only centred. New matrices.
 */
export function standardize(reference: FeatureMatrix, ...xs: FeatureMatrix[]): FeatureMatrix[] {
  const { rows: n, cols: d, values: r } = reference;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k]! += r[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= Math.max(n, 1);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < d; k++) {
      const c = r[i * d + k]! - mean[k]!;
      sq[k]! += c * c;
    }
  const inv = Float64Array.from(sq, (s) => {
    const std = Math.sqrt(s / Math.max(n, 1));
    return std > 1e-6 ? 1 / std : 1;
  });
  return xs.map((x) => {
    if (x.cols !== d) throw new Error(`standardize: ${x.cols} columns, reference has ${d}`);
    const values = new Float32Array(x.values.length);
    for (let i = 0; i < x.rows; i++) for (let k = 0; k < d; k++) values[i * d + k] = (x.values[i * d + k]! - mean[k]!) * inv[k]!;
    return { values, rows: x.rows, cols: d };
  });
}

export interface LinearTrainOptions {
  numClasses: number;
  seed: number;
  /** Learning-rate grid (Adam), default DEFAULT_PROBE_LRS. */
  lrs?: readonly number[];
  /** L2 penalty (wd/2)*||W||^2 on the weights, not the bias. */
  weightDecay?: number;
  epochs?: number;
  /** Lower bound on the number of optimisation steps, whatever the epochs. */
  minSteps?: number;
  batchSize?: number;
}

export interface LinearSelection {
  /** The learning rate with the best held-out accuracy (the first of the grid on ties). */
  lr: number;
  valAccuracy: number;
  /** Test accuracy of the classifier trained with `lr`. */
  testAccuracy: number;
  /** Held-out accuracy of every rate, in grid order. */
  valAccuracies: number[];
}

/** One softmax classifier per rate of the grid: rows [r*classes, (r+1)*classes) of `w` (and `b`) are rate r's. */
interface StackedClassifiers {
  w: Float64Array;
  b: Float64Array;
  rates: number;
  classes: number;
  dim: number;
}

/** logits[i*k + j] = b[j] + x_{rows[i]} . w_j, for the k = rates*classes stacked classifiers. */
function logitsOf(c: StackedClassifiers, x: Float32Array, rows: ArrayLike<number>, out: Float64Array): void {
  const d = c.dim;
  const k = c.rates * c.classes;
  const d4 = d - (d % 4);
  for (let i = 0; i < rows.length; i++) {
    const xo = rows[i]! * d;
    for (let j = 0; j < k; j++) {
      const wo = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t < d4; t += 4) {
        s0 += x[xo + t]! * c.w[wo + t]!;
        s1 += x[xo + t + 1]! * c.w[wo + t + 1]!;
        s2 += x[xo + t + 2]! * c.w[wo + t + 2]!;
        s3 += x[xo + t + 3]! * c.w[wo + t + 3]!;
      }
      for (; t < d; t++) s0 += x[xo + t]! * c.w[wo + t]!;
      out[i * k + j] = c.b[j]! + s0 + s1 + s2 + s3;
    }
  }
}

/** gw[j] += sum_i g[i*k + j] * x_{rows[i]}, four batch rows at a time. */
function accumulateWeightGrad(gw: Float64Array, g: Float64Array, x: Float32Array, rows: ArrayLike<number>, k: number, d: number): void {
  let i = 0;
  for (; i + 4 <= rows.length; i += 4) {
    const xa = rows[i]! * d;
    const xb = rows[i + 1]! * d;
    const xc = rows[i + 2]! * d;
    const xd = rows[i + 3]! * d;
    for (let j = 0; j < k; j++) {
      const ga = g[i * k + j]!;
      const gb = g[(i + 1) * k + j]!;
      const gc = g[(i + 2) * k + j]!;
      const gd = g[(i + 3) * k + j]!;
      const wo = j * d;
      for (let t = 0; t < d; t++) gw[wo + t]! += ga * x[xa + t]! + gb * x[xb + t]! + gc * x[xc + t]! + gd * x[xd + t]!;
    }
  }
  for (; i < rows.length; i++) {
    const xo = rows[i]! * d;
    for (let j = 0; j < k; j++) {
      const gi = g[i * k + j]!;
      const wo = j * d;
      for (let t = 0; t < d; t++) gw[wo + t]! += gi * x[xo + t]!;
    }
  }
}

function trainStacked(fit: LabelledFeatures, o: Required<LinearTrainOptions>): StackedClassifiers {
  const { rows: n, cols: d, values: x } = fit.features;
  if (n !== fit.labels.length) throw new Error(`linear probe: ${n} feature rows but ${fit.labels.length} labels`);
  if (n === 0) throw new Error("linear probe: no training examples");
  for (const y of fit.labels) if (!(y >= 0 && y < o.numClasses)) throw new RangeError(`linear probe: label ${y} outside [0, ${o.numClasses})`);
  const L = o.lrs.length;
  const C = o.numClasses;
  const k = L * C;
  const c: StackedClassifiers = { w: new Float64Array(k * d), b: new Float64Array(k), rates: L, classes: C, dim: d };
  const mw = new Float64Array(k * d);
  const vw = new Float64Array(k * d);
  const mb = new Float64Array(k);
  const vb = new Float64Array(k);
  const gw = new Float64Array(k * d);
  const gb = new Float64Array(k);

  const batch = Math.min(o.batchSize, n);
  const steps = Math.max(o.epochs * Math.ceil(n / batch), o.minSteps);
  const g = new Float64Array(batch * k);
  const rng = Rng.derive(o.seed, "linearProbe");
  let order = rng.permutation(n);
  let pos = 0;
  for (let step = 0; step < steps; step++) {
    if (pos >= n) {
      order = rng.permutation(n);
      pos = 0;
    }
    const rows = order.subarray(pos, Math.min(pos + batch, n));
    pos += batch;
    const m = rows.length;

    // Softmax cross-entropy gradient w.r.t. the logits, (p - onehot) / m, for every rate.
    logitsOf(c, x, rows, g);
    for (let i = 0; i < m; i++) {
      for (let r = 0; r < L; r++) {
        const o0 = i * k + r * C;
        let max = -Infinity;
        for (let j = 0; j < C; j++) max = Math.max(max, g[o0 + j]!);
        let sum = 0;
        for (let j = 0; j < C; j++) {
          g[o0 + j] = Math.exp(g[o0 + j]! - max);
          sum += g[o0 + j]!;
        }
        for (let j = 0; j < C; j++) g[o0 + j] = g[o0 + j]! / sum / m;
        g[o0 + fit.labels[rows[i]!]!]! -= 1 / m;
      }
    }
    gb.fill(0);
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) gb[j]! += g[i * k + j]!;
    for (let t = 0; t < gw.length; t++) gw[t] = o.weightDecay * c.w[t]!;
    accumulateWeightGrad(gw, g, x, rows, k, d);

    // Adam with bias correction; each rate's block at its own (cosine-decayed) rate.
    const decay = 0.5 * (1 + Math.cos((Math.PI * step) / steps));
    const c1 = 1 / (1 - BETA1 ** (step + 1));
    const c2 = 1 / (1 - BETA2 ** (step + 1));
    for (let j = 0; j < k; j++) {
      const lr = o.lrs[Math.floor(j / C)]! * decay;
      for (let t = j * d; t < (j + 1) * d; t++) {
        mw[t] = BETA1 * mw[t]! + (1 - BETA1) * gw[t]!;
        vw[t] = BETA2 * vw[t]! + (1 - BETA2) * gw[t]! * gw[t]!;
        c.w[t]! -= (lr * mw[t]! * c1) / (Math.sqrt(vw[t]! * c2) + EPS);
      }
      mb[j] = BETA1 * mb[j]! + (1 - BETA1) * gb[j]!;
      vb[j] = BETA2 * vb[j]! + (1 - BETA2) * gb[j]! * gb[j]!;
      c.b[j]! -= (lr * mb[j]! * c1) / (Math.sqrt(vb[j]! * c2) + EPS);
    }
  }
  return c;
}

/** Accuracy of every stacked classifier on a labelled set, in grid order (NaN for an empty set). */
function accuracies(c: StackedClassifiers, set: LabelledFeatures): number[] {
  const { rows: n, cols } = set.features;
  if (n !== set.labels.length) throw new Error(`linear probe: ${n} feature rows but ${set.labels.length} labels`);
  if (cols !== c.dim) throw new Error(`linear probe: ${cols} feature columns, the classifier has ${c.dim}`);
  const k = c.rates * c.classes;
  const chunk = 256;
  const logits = new Float64Array(chunk * k);
  const correct = new Array<number>(c.rates).fill(0);
  for (let start = 0; start < n; start += chunk) {
    const rows = Int32Array.from({ length: Math.min(chunk, n - start) }, (_, i) => start + i);
    logitsOf(c, set.features.values, rows, logits);
    for (let i = 0; i < rows.length; i++)
      for (let r = 0; r < c.rates; r++) {
        const o0 = i * k + r * c.classes;
        let best = 0;
        for (let j = 1; j < c.classes; j++) if (logits[o0 + j]! > logits[o0 + best]!) best = j;
        if (best === set.labels[start + i]) correct[r]!++;
      }
  }
  return correct.map((right) => (n === 0 ? NaN : right / n));
}

function withDefaults(o: LinearTrainOptions): Required<LinearTrainOptions> {
  const r: Required<LinearTrainOptions> = {
    numClasses: o.numClasses,
    seed: o.seed,
    lrs: o.lrs ?? DEFAULT_PROBE_LRS,
    weightDecay: o.weightDecay ?? DEFAULT_PROBE_WEIGHT_DECAY,
    epochs: o.epochs ?? DEFAULT_PROBE_EPOCHS,
    minSteps: o.minSteps ?? DEFAULT_PROBE_MIN_STEPS,
    batchSize: o.batchSize ?? DEFAULT_PROBE_BATCH,
  };
  if (r.lrs.length === 0 || !r.lrs.every((lr) => lr > 0 && Number.isFinite(lr))) throw new RangeError(`linear probe: bad lr grid [${r.lrs}]`);
  if (!(Number.isInteger(r.numClasses) && r.numClasses >= 2)) throw new RangeError(`linear probe: numClasses must be an integer >= 2, got ${r.numClasses}`);
  if (!(r.weightDecay >= 0)) throw new RangeError(`linear probe: weightDecay must be >= 0, got ${r.weightDecay}`);
  if (!(r.batchSize >= 1 && r.epochs >= 0 && r.minSteps >= 0 && r.epochs + r.minSteps > 0))
    throw new RangeError("linear probe: batchSize must be >= 1, epochs and minSteps >= 0 and not both 0");
  return r;
}

/**
 * Trains a softmax classifier for every rate of the grid on `fit`, picks the
 * rate by accuracy on `val`, and reports the test accuracy of that one.
 * Features are used as given (standardise them first, see `standardize`).
 */
export function selectLinearClassifier(
  fit: LabelledFeatures,
  val: LabelledFeatures,
  test: LabelledFeatures,
  options: LinearTrainOptions,
): LinearSelection {
  const o = withDefaults(options);
  const classifiers = trainStacked(fit, o);
  const valAccuracies = accuracies(classifiers, val);
  let best = 0;
  for (let r = 1; r < valAccuracies.length; r++) if (valAccuracies[r]! > valAccuracies[best]!) best = r;
  const testAccuracy = accuracies(classifiers, test)[best]!;
  return { lr: o.lrs[best]!, valAccuracy: valAccuracies[best]!, testAccuracy, valAccuracies };
}

export interface LinearProbeOptions extends Omit<LinearTrainOptions, "seed" | "numClasses"> {
  trainFeatures: tf.Tensor2D;
  trainLabels: Int32Array;
  testFeatures: tf.Tensor2D;
  testLabels: Int32Array;
  numClasses: number;
  /** Label fractions of the train part, default [0.01, 0.1, 1]. */
  fractions?: readonly number[];
  seed: number;
  /** Share of the train split held out to pick the learning rate, default 0.1. */
  heldOutFraction?: number;
}

export interface LinearProbeResult {
  fraction: number;
  /** Labelled examples the classifier was trained on. */
  trainCount: number;
  lr: number;
  valAccuracy: number;
  testAccuracy: number;
}

/**
 * The linear-probe protocol: hold out a class-balanced `heldOutFraction` of
 * the train split for choosing the learning rate, then for every label
 * fraction train on a class-balanced subset of the rest (seeded; the subsets
 * are nested) and report the test accuracy of the chosen rate. Results follow
 * the order of `fractions`. The input tensors are only read.
 */
export async function linearProbe(options: LinearProbeOptions): Promise<LinearProbeResult[]> {
  const { trainFeatures, trainLabels, testFeatures, testLabels, fractions = [0.01, 0.1, 1], heldOutFraction = 0.1, ...train } = options;
  if (trainFeatures.shape[0] !== trainLabels.length) throw new Error(`linear probe: ${trainFeatures.shape[0]} train rows but ${trainLabels.length} labels`);
  if (testFeatures.shape[0] !== testLabels.length) throw new Error(`linear probe: ${testFeatures.shape[0]} test rows but ${testLabels.length} labels`);
  const split = heldOutSplit(trainLabels, heldOutFraction, options.seed);
  const all = await readFeatures(trainFeatures);
  const fitRaw = selectRows(all, split.train);
  const [fitX, valX, testX] = standardize(fitRaw, fitRaw, selectRows(all, split.heldOut), await readFeatures(testFeatures));
  const fitLabels = split.train.map((i) => trainLabels[i]!);
  const val = { features: valX!, labels: split.heldOut.map((i) => trainLabels[i]!) };
  const test = { features: testX!, labels: testLabels };
  return fractions.map((fraction) => {
    const subset = balancedSubset(fitLabels, fraction, options.seed);
    const fit = { features: selectRows(fitX!, subset), labels: subset.map((i) => fitLabels[i]!) };
    const sel = selectLinearClassifier(fit, val, test, { ...train, seed: Rng.derive(options.seed, "fraction", fraction).int(2 ** 31) });
    return { fraction, trainCount: subset.length, lr: sel.lr, valAccuracy: sel.valAccuracy, testAccuracy: sel.testAccuracy };
  });
}
