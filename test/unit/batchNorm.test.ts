// Our BatchNorm (fast custom gradient) against tfjs's own batchNorm over
// batch moments, and PyTorch's running-statistics rule.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { batchNorm } from "../../src/core/models/batchNorm";
import { ParamBuilder, applyUpdates, type ForwardContext } from "../../src/core/models/layers";
import { Rng } from "../../src/core/random";

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  return d / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-12);
}

for (const shape of [[4, 5, 3, 6], [7, 6]]) {
  test(`training-mode output and gradients match tf.batchNorm on batch moments, input ${shape}`, async () => {
    await tf.setBackend("cpu");
    const channels = shape[shape.length - 1]!;
    const vars = new ParamBuilder(new Rng(1));
    const bn = vars.batchNorm("bn", channels);
    bn.gamma.assign(tf.randomNormal([channels], 1, 0.3, "float32", 2));
    bn.beta.assign(tf.randomNormal([channels], 0, 0.3, "float32", 3));
    const x = tf.randomNormal(shape, 0.5, 2, "float32", 4);
    const upstream = tf.randomNormal(shape, 0, 1, "float32", 5); // a non-uniform dL/dy
    const ctx: ForwardContext = { training: true, updates: [] };
    const ours = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(batchNorm(xi, { ...bn, gamma: g as tf.Variable, beta: b as tf.Variable }, ctx), upstream));
    const axes = shape.length === 4 ? [0, 1, 2] : [0];
    const reference = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xi, axes);
      return tf.sum(tf.mul(tf.batchNorm(xi, mean, variance, b, g, 1e-5), upstream));
    };
    const inputs = [x, bn.gamma, bn.beta];
    const g1 = tf.grads(ours)(inputs);
    const g2 = tf.grads(reference)(inputs);
    assert.ok(Math.abs(ours(x, bn.gamma, bn.beta).dataSync()[0]! - reference(x, bn.gamma, bn.beta).dataSync()[0]!) < 1e-3);
    for (let i = 0; i < 3; i++) assert.ok(maxRelDiff(g1[i]!, g2[i]!) < 1e-4, `gradient ${["x", "gamma", "beta"][i]}: ${maxRelDiff(g1[i]!, g2[i]!)}`);
    tf.dispose(ctx.updates.map((u) => u.value));
    vars.dispose();
  });
}

test("running statistics follow PyTorch (momentum 0.1, unbiased variance) and are used in eval mode", async () => {
  await tf.setBackend("cpu");
  const vars = new ParamBuilder(new Rng(1));
  const bn = vars.batchNorm("bn", 1);
  const x = tf.tensor2d([[1], [2], [3], [6]]); // mean 3, biased var 3.5, unbiased 14/3
  const ctx: ForwardContext = { training: true, updates: [] };
  tf.tidy(() => batchNorm(x, bn, ctx));
  applyUpdates(ctx);
  assert.ok(Math.abs(bn.runningMean.dataSync()[0]! - 0.3) < 1e-6);
  assert.ok(Math.abs(bn.runningVar.dataSync()[0]! - (0.9 + 0.1 * (14 / 3))) < 1e-6);
  const y = batchNorm(tf.tensor2d([[0.3]]), bn, { training: false, updates: [] });
  assert.ok(Math.abs(y.dataSync()[0]!) < 1e-6, "eval mode normalises with the running mean");
  const before = tf.memory().numTensors;
  const ctx2: ForwardContext = { training: true, updates: [] };
  tf.tidy(() => {
    batchNorm(x, bn, ctx2);
  });
  applyUpdates(ctx2);
  assert.equal(tf.memory().numTensors, before);
  vars.dispose();
});
