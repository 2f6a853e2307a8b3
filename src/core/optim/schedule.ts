/**
 * Learning-rate schedule of SimCLR (Chen et al. 2020): the base rate is scaled
 * linearly with the batch size, warmed up linearly, then decayed to 0 along a
 * half cosine.
 *
 * Conventions (steps are 0-based; `step` is the index of the update about to
 * be applied, so a run of `totalSteps` updates uses steps 0 … totalSteps-1):
 *
 *   peak = baseLr * batchSize / 256
 *   step <  warmupSteps:               lr = peak * (step + 1) / warmupSteps
 *   warmupSteps <= step < totalSteps:  lr = peak * 0.5 * (1 + cos(pi * (step - warmupSteps) / (totalSteps - warmupSteps)))
 *   step >= totalSteps:                lr = 0
 *
 * So the first update uses peak/warmupSteps (not 0, unlike SimCLR's TF code
 * which spends its first update at lr 0), the last warm-up step
 * (warmupSteps-1) and the first cosine step (warmupSteps) both use the peak,
 * and the cosine reaches exactly 0 at `totalSteps` (the last update, step
 * totalSteps-1, gets a small positive rate). warmupSteps = 0 means no
 * warm-up. If warmupSteps >= totalSteps the whole run is warm-up.
 */

export interface ScheduleOptions {
  /** Base learning rate before batch scaling (config `train.lr`). */
  baseLr: number;
  /** Images per step (config `train.batchSize`). */
  batchSize: number;
  /** Linear warm-up length in steps (warmupEpochs * stepsPerEpoch, rounded). */
  warmupSteps: number;
  /** Total number of optimiser steps of the run (epochs * stepsPerEpoch). */
  totalSteps: number;
}

/** Peak learning rate: baseLr * batchSize / 256 (SimCLR's linear scaling). */
export function peakLearningRate(baseLr: number, batchSize: number): number {
  return (baseLr * batchSize) / 256;
}

/** Learning rate for the update at 0-based `step`; see the file comment. */
export function learningRate(step: number, opts: ScheduleOptions): number {
  const { baseLr, batchSize, warmupSteps, totalSteps } = opts;
  if (!Number.isFinite(step) || step < 0) throw new RangeError(`learningRate: step must be >= 0, got ${step}`);
  if (!Number.isFinite(baseLr) || baseLr < 0) throw new RangeError(`learningRate: baseLr must be >= 0, got ${baseLr}`);
  if (!Number.isFinite(batchSize) || batchSize <= 0)
    throw new RangeError(`learningRate: batchSize must be > 0, got ${batchSize}`);
  if (!Number.isFinite(warmupSteps) || warmupSteps < 0)
    throw new RangeError(`learningRate: warmupSteps must be >= 0, got ${warmupSteps}`);
  if (!Number.isFinite(totalSteps) || totalSteps < 0)
    throw new RangeError(`learningRate: totalSteps must be >= 0, got ${totalSteps}`);

  const peak = peakLearningRate(baseLr, batchSize);
  if (step >= totalSteps) return 0;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  // Here warmupSteps <= step < totalSteps, so the decay length is > 0.
  const progress = (step - warmupSteps) / (totalSteps - warmupSteps);
  return peak * 0.5 * (1 + Math.cos(Math.PI * progress));
}
