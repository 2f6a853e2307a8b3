/**
 * Collapse indicators of an embedding matrix [n, d] (n samples):
 *
 * - normalizedStd: the per-dimension standard deviation of the L2-normalised
 *   embeddings, averaged over dimensions (Chen & He 2021, SimSiam, sec. 4.1).
 *   For embeddings spread isotropically it is about 1/sqrt(d); when every
 *   input maps to the same output it goes to 0. Meant for the embedding the SSL
 *   loss sees (projector / predictor output): non-negative features such as
 *   ReLU-pooled backbone features share a large mean direction, which keeps it
 *   low without any collapse.
 * - effectiveRank: exp of the Shannon entropy of the singular values of the
 *   centred embedding matrix, normalised to sum to 1 (Roy & Vetterli 2007,
 *   "The effective rank: a measure of effective dimensionality"). It lies in
 *   [1, min(n, d)]: 1 when the embeddings vary along one direction only (or not
 *   at all: a constant embedding is given rank 1), min(n, d) when they vary
 *   equally in every direction. It catches dimensional collapse, which leaves
 *   normalizedStd healthy (e.g. embeddings at +v and -v only).
 *
 * The singular values come from ml-matrix's SVD of the smaller Gram matrix
 * (d x d or n x n, built in float64): its eigenvalues are the squared singular
 * values of the centred embeddings.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { Matrix, SVD } from "ml-matrix";

export interface CollapseIndicators {
  count: number;
  dim: number;
  /** Mean over dimensions of the std of the L2-normalised embeddings: ~1/sqrt(dim) healthy, 0 collapsed. */
  normalizedStd: number;
  /** normalizedStd * sqrt(dim): ~1 for isotropic embeddings, 0 collapsed. */
  stdRatio: number;
  /** Roy & Vetterli's effective rank of the centred embeddings, in [1, min(count, dim)]. */
  effectiveRank: number;
}

/** exp(entropy) of the singular values normalised to sum to 1; 1 when they are all 0. */
export function effectiveRank(singularValues: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < singularValues.length; i++) total += Math.max(0, singularValues[i]!);
  if (!(total > 0)) return 1;
  let entropy = 0;
  for (let i = 0; i < singularValues.length; i++) {
    const p = Math.max(0, singularValues[i]!) / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/** Singular values of the centred [n, d] matrix `x` (row-major), largest first. */
export function centredSingularValues(x: ArrayLike<number>, n: number, d: number): number[] {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k]! += x[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= n;
  const c = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) c[i * d + k] = x[i * d + k]! - mean[k]!;
  // Gram matrix of the smaller side: C^T C (d x d) or C C^T (n x n), upper triangle then mirrored.
  const m = Math.min(n, d);
  const gram = new Float64Array(m * m);
  if (d <= n) {
    for (let i = 0; i < n; i++) {
      const row = c.subarray(i * d, (i + 1) * d);
      for (let a = 0; a < d; a++) {
        const va = row[a]!;
        if (va === 0) continue;
        for (let b = a; b < d; b++) gram[a * d + b]! += va * row[b]!;
      }
    }
  } else {
    for (let a = 0; a < n; a++)
      for (let b = a; b < n; b++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += c[a * d + k]! * c[b * d + k]!;
        gram[a * n + b] = s;
      }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) gram[a * m + b] = gram[b * m + a]!;
  const eigen = new SVD(Matrix.from1DArray(m, m, gram), { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  // Eigenvalues within the Gram matrix's rounding error of 0 are 0 (as numpy's matrix_rank tolerance, on squares).
  const tol = Math.max(0, ...eigen) * m * Number.EPSILON * 10;
  return eigen.map((l) => (l > tol ? Math.sqrt(l) : 0)).sort((p, q) => q - p);
}

/** Collapse indicators of `count` embeddings of size `dim`, row-major. */
export function collapseIndicatorsOf(x: ArrayLike<number>, count: number, dim: number): CollapseIndicators {
  if (count < 2 || dim < 1) throw new RangeError(`collapse indicators need at least 2 embeddings of size >= 1, got [${count}, ${dim}]`);
  if (x.length !== count * dim) throw new Error(`collapse indicators: ${x.length} values for [${count}, ${dim}]`);
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += x[i * dim + k]! * x[i * dim + k]!;
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let k = 0; k < dim; k++) row[k] = x[i * dim + k]! * inv;
    for (let k = 0; k < dim; k++) {
      mean[k]! += row[k]!;
      sq[k]! += row[k]! * row[k]!;
    }
  }
  let stdSum = 0;
  for (let k = 0; k < dim; k++) {
    const mu = mean[k]! / count;
    stdSum += Math.sqrt(Math.max(0, sq[k]! / count - mu * mu));
  }
  const normalizedStd = stdSum / dim;
  return {
    count,
    dim,
    normalizedStd,
    stdRatio: normalizedStd * Math.sqrt(dim),
    effectiveRank: effectiveRank(centredSingularValues(x, count, dim)),
  };
}

/** Collapse indicators of an embedding tensor [n, d] (read back once; the tensor is left alone). */
export async function collapseIndicators(embeddings: tf.Tensor2D): Promise<CollapseIndicators> {
  const [n, d] = embeddings.shape;
  return collapseIndicatorsOf(await embeddings.data(), n, d);
}

/**
 * Collapsed when normalizedStd < COLLAPSE_STD_RATIO / sqrt(d): the normalised
 * embeddings spread less than a tenth as much as isotropic ones would. In
 * SimSiam's collapse experiment (Fig. 2) the std falls from ~1/sqrt(d) to ~0
 * within an epoch, so any threshold far below 1/sqrt(d) separates the two;
 * a tenth leaves room for the anisotropy of healthy embeddings.
 */
export const COLLAPSE_STD_RATIO = 0.1;

/**
 * ...or when effectiveRank < max(COLLAPSE_MIN_RANK, COLLAPSE_RANK_FRACTION * d):
 * below 2 the embeddings vary along about one direction (which normalizedStd
 * misses when they sit at +v and -v), and for wide embeddings (e.g. a
 * 2048-wide projector) using fewer than 1% of the dimensions is collapse in
 * all but name. Dimensional collapse short of that (Jing et al. 2022) is
 * common in healthy runs and is not flagged: read effectiveRank for it.
 */
export const COLLAPSE_MIN_RANK = 2;
export const COLLAPSE_RANK_FRACTION = 0.01;

export function isCollapsed(indicators: Pick<CollapseIndicators, "normalizedStd" | "effectiveRank">, dim: number): boolean {
  return (
    indicators.normalizedStd < COLLAPSE_STD_RATIO / Math.sqrt(dim) ||
    indicators.effectiveRank < Math.max(COLLAPSE_MIN_RANK, COLLAPSE_RANK_FRACTION * dim)
  );
}
