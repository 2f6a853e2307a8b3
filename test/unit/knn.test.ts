import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { knnAccuracy } from "../../src/core/eval/knn";

test("kNN votes are weighted by exp(similarity / T)", async () => {
  await tf.setBackend("cpu");
  // Query [1, 0]: one class-0 neighbour at cosine 1, two class-1 neighbours at cosine 0.8.
  const bank = tf.tensor2d([[1, 0], [0.8, 0.6], [0.8, 0.6], [-1, 0]]);
  const labels = Int32Array.from([0, 1, 1, 0]);
  const query = tf.tensor2d([[2, 0]]);
  // Sharp weights (T=0.07): exp(1/0.07) > 2 exp(0.8/0.07), class 0 wins.
  assert.equal(await knnAccuracy(bank, labels, query, Int32Array.from([0]), { k: 3, temperature: 0.07, numClasses: 2 }), 1);
  // Flat weights (T=10): two votes beat one, class 1 wins.
  assert.equal(await knnAccuracy(bank, labels, query, Int32Array.from([0]), { k: 3, temperature: 10, numClasses: 2 }), 0);
});

test("kNN accuracy counts over chunks and leaks no tensors", async () => {
  await tf.setBackend("cpu");
  const bank = tf.tensor2d([[1, 0], [0, 1]]);
  const queries = tf.tensor2d([[1, 0.1], [0.1, 1], [1, 0.2], [0.3, 1], [1, 0]]);
  const before = tf.memory().numTensors;
  const acc = await knnAccuracy(bank, Int32Array.from([0, 1]), queries, Int32Array.from([0, 1, 1, 1, 0]), {
    k: 1,
    temperature: 0.07,
    numClasses: 2,
    chunk: 2,
  });
  assert.equal(acc, 4 / 5);
  assert.equal(tf.memory().numTensors, before);
});
