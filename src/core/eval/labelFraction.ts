/**
 * Class-balanced, seeded subsets of a labelled split: the 1% / 10% / 100%
 * label fractions of the linear probe, and the held-out validation part of a
 * train split on which the probe picks its hyper-parameters (never on test).
 *
 * Each class gets its own permutation drawn from `Rng.derive(seed, stream,
 * class)`, and a subset takes a prefix of it, so subsets are deterministic,
 * independent of the order classes appear in, and nested: with one seed the
 * 1% subset lies inside the 10% subset.
 */
import { Rng } from "../random";

/** Indices of each class's examples, ascending, for classes 0..max(label). */
function indicesByClass(labels: ArrayLike<number>): number[][] {
  const byClass: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`label ${c} at index ${i} is not a class index`);
    (byClass[c] ??= []).push(i);
  }
  return byClass;
}

/** For every present class, its examples in a seeded order; smaller subsets take prefixes. */
function shuffledByClass(labels: ArrayLike<number>, seed: number, stream: string): number[][] {
  return indicesByClass(labels)
    .map((members, c) => {
      const order = Rng.derive(seed, stream, c).permutation(members.length);
      return Array.from(order, (j) => members[j]!);
    })
    .filter((members) => members.length > 0);
}

/** Examples per class for a fraction of n examples over k classes: the same for every class, at least 1. */
function perClassQuota(n: number, classes: number, fraction: number): number {
  return Math.max(1, Math.round((fraction * n) / classes));
}

function sorted(indices: number[]): Int32Array {
  return Int32Array.from(indices).sort();
}

function checkFraction(fraction: number, what: string): void {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`${what} must be in (0, 1], got ${fraction}`);
}

/**
 * Indices (ascending) of a class-balanced subset holding `fraction` of the
 * examples: round(fraction * n / classes), at least 1, from every class
 * present in `labels` (a class with fewer examples gives all it has). Fraction
 * 1 is the whole split, as balanced as the split itself is.
 */
export function balancedSubset(labels: ArrayLike<number>, fraction: number, seed: number): Int32Array {
  checkFraction(fraction, "label fraction");
  if (fraction === 1) return Int32Array.from({ length: labels.length }, (_, i) => i);
  const classes = shuffledByClass(labels, seed, "labelFraction");
  const quota = perClassQuota(labels.length, classes.length, fraction);
  return sorted(classes.flatMap((members) => members.slice(0, quota)));
}

export interface HeldOutSplit {
  /** Indices (ascending) of the part to train on. */
  train: Int32Array;
  /** Indices (ascending) of the held-out validation part. */
  heldOut: Int32Array;
}

/**
 * Seeded, class-balanced split of a (train) split into a part to train on and
 * a held-out validation part of about `heldOutFraction` of it: the same count,
 * round(fraction * n / classes) and at least 1, from every class, except that
 * a class always keeps at least one example for training when it has two.
 * With a single label value (e.g. all zeros) it is a plain random split.
 */
export function heldOutSplit(labels: ArrayLike<number>, heldOutFraction: number, seed: number): HeldOutSplit {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) throw new RangeError(`held-out fraction must be in (0, 1), got ${heldOutFraction}`);
  const classes = shuffledByClass(labels, seed, "heldOut");
  const quota = perClassQuota(labels.length, classes.length, heldOutFraction);
  const train: number[] = [];
  const heldOut: number[] = [];
  for (const members of classes) {
    const q = Math.min(quota, members.length - 1);
    heldOut.push(...members.slice(0, q));
    train.push(...members.slice(q));
  }
  return { train: sorted(train), heldOut: sorted(heldOut) };
}

/** Class counts of `labels` restricted to `indices`, for classes 0..numClasses-1. */
export function classCounts(labels: ArrayLike<number>, indices: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < indices.length; i++) counts[labels[indices[i]!]!]!++;
  return counts;
}
