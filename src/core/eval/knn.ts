/**
 * Weighted kNN classification on frozen features (Wu et al. 2018, as used to
 * monitor SSL runs): cosine similarity to every training feature, the k
 * nearest vote for their class with weight exp(similarity / T).
 */
import * as tf from "@tensorflow/tfjs-core";
import { l2normalize } from "../losses/normalize";

export interface KnnOptions {
  k: number;
  temperature: number;
  numClasses: number;
  /** Test rows per similarity matrix, to bound memory. */
  chunk?: number;
}

/** Top-1 accuracy in [0, 1] of test features against a labelled bank of train features. */
export async function knnAccuracy(
  trainFeatures: tf.Tensor2D,
  trainLabels: Int32Array,
  testFeatures: tf.Tensor2D,
  testLabels: Int32Array,
  { k, temperature, numClasses, chunk = 256 }: KnnOptions,
): Promise<number> {
  const bank = l2normalize(trainFeatures);
  const kk = Math.min(k, trainLabels.length);
  let correct = 0;
  try {
    for (let start = 0; start < testLabels.length; start += chunk) {
      const size = Math.min(chunk, testLabels.length - start);
      const { values, indices } = tf.tidy(() => {
        const queries = l2normalize(tf.slice(testFeatures, [start, 0], [size, -1]));
        return tf.topk(tf.matMul(queries, bank, false, true), kk);
      });
      const [sims, idx] = await Promise.all([values.data(), indices.data()]);
      values.dispose();
      indices.dispose();
      const votes = new Float64Array(numClasses);
      for (let q = 0; q < size; q++) {
        votes.fill(0);
        for (let j = 0; j < kk; j++) votes[trainLabels[idx[q * kk + j]!]!]! += Math.exp(sims[q * kk + j]! / temperature);
        let best = 0;
        for (let c = 1; c < numClasses; c++) if (votes[c]! > votes[best]!) best = c;
        if (best === testLabels[start + q]) correct++;
      }
    }
  } finally {
    bank.dispose();
  }
  return correct / testLabels.length;
}
