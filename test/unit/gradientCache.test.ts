// The gradient cache must give exactly the gradients of the same loss taken
// in one tape over the chunked forward passes, with less memory held at once.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { buildModel } from "../../src/core/models/build";
import { parseExperiment } from "../../src/core/config/load";
import type { ForwardContext } from "../../src/core/models/layers";
import { gradientCache, wholeBatch } from "../../src/trainer/trainStep";

const progress = { step: 0, totalSteps: 10, epoch: 0, stepsPerEpoch: 10 };

const config = parseExperiment(
  JSON.stringify({
    dataset: { format: "embedded", name: "fashion-mnist-5k" },
    imageSize: 8,
    model: { backbone: "convnet", width: 0.125, projectorHidden: 8, projectorOut: 4 },
    simclr: { temperature: 0.3 },
  }),
  "gc.ssl.json",
).config!;

function maxRel(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(tf.max(tf.abs(b)).dataSync()[0]!, 1e-12));
}

test("chunked back-propagation equals one tape over the same chunked forward", async () => {
  await tf.setBackend("cpu");
  const model = buildModel({ ...config, seed: 3 }, 1);
  const v1 = tf.randomUniform([6, 8, 8, 1], 0, 1, "float32", 1) as tf.Tensor4D;
  const v2 = tf.randomUniform([6, 8, 8, 1], 0, 1, "float32", 2) as tf.Tensor4D;
  const vars = model.vars.params.map((p) => p.variable);
  const reference = tf.variableGrads(() => {
    const parts = [0, 4].map((s) => {
      const m = Math.min(4, 6 - s);
      const ctx: ForwardContext = { training: true, updates: [] };
      const out = model.method.forward([tf.slice(v1, [s], [m]), tf.slice(v2, [s], [m])], ctx, progress);
      tf.dispose(ctx.updates.map((u) => u.value));
      return out;
    });
    return model.method.objective({ z1: tf.concat(parts.map((p) => p.z1!)), z2: tf.concat(parts.map((p) => p.z2!)) }, progress);
  }, vars);

  const before = tf.memory().numTensors;
  const cached = gradientCache(model, [v1, v2], 4, model.vars.params, progress);
  assert.equal(tf.memory().numTensors - before, 1 + Object.keys(cached.grads).length + 2, "only the loss, the gradients and the two outputs survive");
  assert.ok(Math.abs(cached.loss.dataSync()[0]! - reference.value.dataSync()[0]!) < 1e-5);
  assert.deepEqual(Object.keys(cached.grads).sort(), Object.keys(reference.grads).sort());
  for (const name of Object.keys(reference.grads)) {
    assert.ok(maxRel(cached.grads[name]!, reference.grads[name]!) < 1e-4, `gradient of ${name}`);
  }
  model.vars.dispose();
});

test("one chunk covering the batch is the whole-batch step", async () => {
  await tf.setBackend("cpu");
  const model = buildModel({ ...config, seed: 4 }, 1);
  const views = [tf.randomUniform([4, 8, 8, 1], 0, 1, "float32", 5), tf.randomUniform([4, 8, 8, 1], 0, 1, "float32", 6)] as tf.Tensor4D[];
  const snapshot = model.vars.all().map((v) => v.variable.clone());
  const whole = wholeBatch(model, views, model.vars.params, progress);
  model.vars.all().forEach((v, i) => v.variable.assign(snapshot[i]!)); // undo the BatchNorm statistics update
  const cached = gradientCache(model, views, 4, model.vars.params, progress);
  assert.ok(Math.abs(cached.loss.dataSync()[0]! - whole.loss.dataSync()[0]!) < 1e-5);
  for (const name of Object.keys(whole.grads)) assert.ok(maxRel(cached.grads[name]!, whole.grads[name]!) < 1e-4, name);
  model.vars.dispose();
});
