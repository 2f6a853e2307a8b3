import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { linearProbe, selectLinearClassifier, standardize, type FeatureMatrix } from "../../src/core/eval/linearProbe";
import { Rng } from "../../src/core/random";

/** n points of k Gaussian clusters in d dims (class means at distance ~sep*sqrt(2d)), labels i % k. */
function clusters(n: number, d: number, k: number, sep: number, seed: number): { x: Float32Array; y: Int32Array } {
  const means = new Rng(1234).permutation(k * d); // fixed class means, shared by every call
  const rng = new Rng(seed);
  const x = new Float32Array(n * d);
  const y = Int32Array.from({ length: n }, (_, i) => i % k);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = sep * (means[y[i]! * d + j]! % 2 ? 1 : -1) + rng.normal();
  return { x, y };
}

test("linear probe: separable clusters are classified almost perfectly at every label fraction", async () => {
  await tf.setBackend("cpu");
  const d = 32;
  const train = clusters(1000, d, 10, 1.5, 1);
  const testSet = clusters(300, d, 10, 1.5, 2);
  const trainFeatures = tf.tensor2d(train.x, [1000, d]);
  const testFeatures = tf.tensor2d(testSet.x, [300, d]);
  const before = tf.memory().numTensors;
  const results = await linearProbe({ trainFeatures, trainLabels: train.y, testFeatures, testLabels: testSet.y, numClasses: 10, seed: 3 });
  assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  assert.deepEqual(
    results.map((r) => [r.fraction, r.trainCount]),
    [
      [0.01, 10], // 900 train examples after holding out 10%: 1 per class
      [0.1, 90],
      [1, 900],
    ],
  );
  for (const r of results) {
    assert.ok(r.testAccuracy >= 0.95, `fraction ${r.fraction}: test accuracy ${r.testAccuracy}`);
    assert.ok(r.valAccuracy >= 0.95, `fraction ${r.fraction}: validation accuracy ${r.valAccuracy}`);
    assert.ok([0.1, 0.01, 0.001].includes(r.lr));
  }
  // Deterministic for a seed.
  assert.deepEqual(await linearProbe({ trainFeatures, trainLabels: train.y, testFeatures, testLabels: testSet.y, numClasses: 10, seed: 3 }), results);
  trainFeatures.dispose();
  testFeatures.dispose();
});

test("linear probe: random labels give chance accuracy", async () => {
  await tf.setBackend("cpu");
  const d = 32;
  const rng = new Rng(5);
  const x = Float32Array.from({ length: 1200 * d }, () => rng.normal());
  const y = Int32Array.from({ length: 1200 }, () => rng.int(4));
  const trainFeatures = tf.tensor2d(x.subarray(0, 800 * d), [800, d]);
  const testFeatures = tf.tensor2d(x.subarray(800 * d), [400, d]);
  const [full] = await linearProbe({ trainFeatures, trainLabels: y.subarray(0, 800), testFeatures, testLabels: y.subarray(800), numClasses: 4, seed: 1, fractions: [1] });
  assert.ok(Math.abs(full!.testAccuracy - 0.25) < 0.08, `test accuracy ${full!.testAccuracy} should be near chance 0.25`);
  trainFeatures.dispose();
  testFeatures.dispose();
});

function matrix(x: Float32Array, rows: number, cols: number): FeatureMatrix {
  return { values: x, rows, cols };
}

test("the learning rate is chosen on the held-out part, never on test labels", () => {
  const d = 16;
  const fit = clusters(200, d, 4, 0.3, 11);
  const val = clusters(100, d, 4, 0.3, 12);
  const test = clusters(100, d, 4, 0.3, 13);
  const [fx, vx, tx] = standardize(matrix(fit.x, 200, d), matrix(fit.x, 200, d), matrix(val.x, 100, d), matrix(test.x, 100, d));
  const opts = { numClasses: 4, seed: 2, lrs: [1, 0.01, 0.0001], epochs: 20 };
  const a = selectLinearClassifier({ features: fx!, labels: fit.y }, { features: vx!, labels: val.y }, { features: tx!, labels: test.y }, opts);
  const shuffled = new Rng(3).permutation(100).map((i) => test.y[i]!);
  const b = selectLinearClassifier({ features: fx!, labels: fit.y }, { features: vx!, labels: val.y }, { features: tx!, labels: shuffled }, opts);
  assert.equal(a.lr, b.lr);
  assert.deepEqual(a.valAccuracies, b.valAccuracies);
  assert.equal(a.valAccuracy, Math.max(...a.valAccuracies));
  assert.equal(a.lr, opts.lrs[a.valAccuracies.indexOf(a.valAccuracy)]);
  assert.notEqual(a.testAccuracy, b.testAccuracy);
});

test("standardize uses the reference's mean and std; constant dimensions are only centred", () => {
  const ref = matrix(Float32Array.from([1, 5, 3, 5, 5, 5]), 3, 2); // column 0: mean 3, std sqrt(8/3); column 1 constant
  const [a, b] = standardize(ref, ref, matrix(Float32Array.from([3, 7]), 1, 2));
  const s = Math.sqrt(8 / 3);
  [(1 - 3) / s, 0, 0, 0, (5 - 3) / s, 0].forEach((v, i) => assert.ok(Math.abs(a!.values[i]! - v) < 1e-6, `value ${i}`));
  assert.deepEqual([...b!.values], [0, 2]);
});

test("bad arguments are refused", () => {
  const f = { features: matrix(new Float32Array(4), 2, 2), labels: Int32Array.from([0, 1]) };
  assert.throws(() => selectLinearClassifier(f, f, f, { numClasses: 1, seed: 1 }), RangeError);
  assert.throws(() => selectLinearClassifier(f, f, f, { numClasses: 2, seed: 1, lrs: [] }), RangeError);
  assert.throws(() => selectLinearClassifier({ ...f, labels: Int32Array.from([0, 2]) }, f, f, { numClasses: 2, seed: 1 }), RangeError);
});
