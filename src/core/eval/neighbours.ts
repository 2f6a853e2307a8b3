/**
 * Nearest neighbours in embedding space, for looking at what a checkpoint
 * learnt: the training images most like a query by cosine similarity of
 * their backbone features (kNN evaluation's similarity, shown instead of voted).
 */
import * as tf from "@tensorflow/tfjs-core";
import { l2normalize } from "../losses/normalize";

export interface Neighbour {
  index: number;
  similarity: number;
}

/** For each query row, the `k` rows of `bank` with the highest cosine similarity, most similar first. */
export async function nearestNeighbours(bank: tf.Tensor2D, queries: tf.Tensor2D, k: number): Promise<Neighbour[][]> {
  const kk = Math.min(k, bank.shape[0]);
  const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(l2normalize(queries), l2normalize(bank), false, true), kk));
  try {
    const [sims, idx] = await Promise.all([values.data(), indices.data()]);
    return Array.from({ length: queries.shape[0] }, (_, q) => Array.from({ length: kk }, (_, j) => ({ index: idx[q * kk + j]!, similarity: sims[q * kk + j]! })));
  } finally {
    values.dispose();
    indices.dispose();
  }
}

/**
 * Which images to ask about: the first image of each of the first `count`
 * classes met (a varied gallery), or evenly spaced images when unlabelled.
 */
export function pickQueries(count: number, total: number, labels?: Int32Array): number[] {
  const n = Math.min(count, total);
  if (!labels) return Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
  const seen = new Set<number>();
  const out: number[] = [];
  for (let i = 0; i < total && out.length < n; i++) {
    if (!seen.has(labels[i]!)) {
      seen.add(labels[i]!);
      out.push(i);
    }
  }
  // Fewer classes than queries: fill with the next images not taken.
  for (let i = 0; i < total && out.length < n; i++) if (!out.includes(i)) out.push(i);
  return out;
}
