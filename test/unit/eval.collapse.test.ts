import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { centredSingularValues, collapseIndicators, collapseIndicatorsOf, effectiveRank, isCollapsed } from "../../src/core/eval/collapse";
import { Rng } from "../../src/core/random";

test("identical embeddings: std 0, effective rank 1, collapsed", () => {
  const d = 16;
  const rng = new Rng(1);
  const row = Array.from({ length: d }, () => rng.normal());
  const x = Float32Array.from({ length: 50 * d }, (_, i) => row[i % d]!);
  const c = collapseIndicatorsOf(x, 50, d);
  assert.ok(c.normalizedStd < 1e-6, `std ${c.normalizedStd}`);
  assert.equal(c.effectiveRank, 1);
  assert.ok(isCollapsed(c, d));
});

test("isotropic Gaussian embeddings: std ~ 1/sqrt(d), effective rank ~ d, not collapsed", () => {
  const n = 2000;
  const d = 32;
  const rng = new Rng(2);
  const x = Float32Array.from({ length: n * d }, () => 3 * rng.normal() + 5); // scale and offset do not matter
  const c = collapseIndicatorsOf(x, n, d);
  // An offset does change the normalised std (rows lean towards the mean direction), so test the zero-mean case for it.
  const z = Float32Array.from({ length: n * d }, () => rng.normal());
  const cz = collapseIndicatorsOf(z, n, d);
  assert.ok(Math.abs(cz.normalizedStd * Math.sqrt(d) - 1) < 0.05, `std * sqrt(d) = ${cz.stdRatio}`);
  assert.equal(cz.stdRatio, cz.normalizedStd * Math.sqrt(d));
  assert.ok(cz.effectiveRank > 0.95 * d, `effective rank ${cz.effectiveRank}`);
  assert.ok(c.effectiveRank > 0.95 * d, `effective rank with offset ${c.effectiveRank}`);
  assert.ok(!isCollapsed(cz, d));
});

test("embeddings at +v and -v only: healthy std, effective rank 1, collapsed", () => {
  const d = 16;
  const rng = new Rng(3);
  const v = Array.from({ length: d }, () => rng.normal());
  const x = Float32Array.from({ length: 200 * d }, (_, i) => (Math.floor(i / d) % 2 ? 1 : -1) * v[i % d]!);
  const c = collapseIndicatorsOf(x, 200, d);
  assert.ok(c.stdRatio > 0.5, `std * sqrt(d) = ${c.stdRatio}`);
  assert.ok(Math.abs(c.effectiveRank - 1) < 1e-6, `effective rank ${c.effectiveRank}`);
  assert.ok(isCollapsed(c, d));
});

test("effective rank and singular values against hand-computed values", () => {
  // p = [0.75, 0.25]: exp(-(0.75 ln 0.75 + 0.25 ln 0.25)).
  assert.ok(Math.abs(effectiveRank([3, 1]) - Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)))) < 1e-12);
  assert.ok(Math.abs(effectiveRank([2, 2, 2, 0]) - 3) < 1e-12);
  assert.equal(effectiveRank([0, 0]), 1);
  // d <= n (d x d Gram): two orthogonal centred directions of equal norm.
  const sv = centredSingularValues([1, 0, 0, -1, 0, 0, 0, 1, 0, 0, -1, 0], 4, 3);
  [Math.SQRT2, Math.SQRT2, 0].forEach((s, i) => assert.ok(Math.abs(sv[i]! - s) < 1e-9, `sv ${i}: ${sv[i]}`));
  // n < d (n x n Gram): one direction, centred column [2, -2, 0] has norm sqrt(8); a constant column adds nothing.
  const sv2 = centredSingularValues([2, 7, 0, 0, 0, -2, 7, 0, 0, 0, 0, 7, 0, 0, 0], 3, 5);
  assert.equal(sv2.length, 3);
  [Math.sqrt(8), 0, 0].forEach((s, i) => assert.ok(Math.abs(sv2[i]! - s) < 1e-9, `sv ${i}: ${sv2[i]}`));
  // Fewer samples than dimensions: the rank of the centred matrix is at most n - 1.
  const rng = new Rng(4);
  const c = collapseIndicatorsOf(Float32Array.from({ length: 5 * 40 }, () => rng.normal()), 5, 40);
  assert.ok(c.effectiveRank <= 4 + 1e-9 && c.effectiveRank > 3, `effective rank ${c.effectiveRank}`);
});

test("the tensor entry point reads the tensor and leaves it alone", async () => {
  await tf.setBackend("cpu");
  const rng = new Rng(5);
  const values = Float32Array.from({ length: 30 * 8 }, () => rng.normal());
  const t = tf.tensor2d(values, [30, 8]);
  const before = tf.memory().numTensors;
  assert.deepEqual(await collapseIndicators(t), collapseIndicatorsOf(values, 30, 8));
  assert.equal(tf.memory().numTensors, before);
  t.dispose();
});

test("collapse thresholds: std below 0.1/sqrt(d), or effective rank below max(2, 1% of d)", () => {
  const d = 400;
  assert.ok(isCollapsed({ normalizedStd: 0.09 / 20, effectiveRank: 300 }, d));
  assert.ok(!isCollapsed({ normalizedStd: 0.11 / 20, effectiveRank: 300 }, d));
  assert.ok(isCollapsed({ normalizedStd: 1 / 20, effectiveRank: 3.9 }, d)); // 1% of 400 = 4
  assert.ok(!isCollapsed({ normalizedStd: 1 / 20, effectiveRank: 4.1 }, d));
  assert.ok(isCollapsed({ normalizedStd: 1 / 4, effectiveRank: 1.9 }, 16)); // floor of 2 for narrow embeddings
  assert.throws(() => collapseIndicatorsOf([1, 2], 1, 2), RangeError);
});
