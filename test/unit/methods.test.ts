// The joint-embedding methods on the real training step: each trains with
// finite losses and no leaks, the gradient cache gives the gradients of one
// tape for every method, and the machinery the papers rely on (EMA targets,
// MoCo's queue, SwAV's frozen prototypes, DINO's centre and teacher
// temperature) does what it should.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { parseExperiment } from "../../src/core/config/load";
import type { Experiment, Method } from "../../src/core/config/schema";
import { loadDataset } from "../../src/core/data/load";
import type { ImageDataset } from "../../src/core/data/dataset";
import { buildModel, disposeModel, savedVariables } from "../../src/core/models/build";
import { modelArrays, restoreModel } from "../../src/trainer/modelState";
import { createOptimizer } from "../../src/core/optim";
import { augmentBatch, viewInstances } from "../../src/core/augment";
import { cosineMomentum } from "../../src/core/methods/ema";
import { teacherTemperature } from "../../src/core/methods/dino";
import { PROTOTYPES } from "../../src/core/methods/swav";
import { trainStep } from "../../src/trainer/trainStep";

const JOINT: Method[] = ["simclr", "moco", "byol", "simsiam", "barlowtwins", "vicreg", "swav", "dino"];

function tinyConfig(method: Method, extra: object = {}): Experiment {
  const { config, issues } = parseExperiment(
    JSON.stringify({
      method,
      dataset: { format: "embedded", name: "fashion-mnist-5k" },
      imageSize: 12,
      limit: { train: 64, test: 16 },
      model: { backbone: "convnet", width: 0.125, projectorHidden: 16, projectorOut: 8 },
      moco: { queueSize: 24 },
      swav: { prototypes: 10 },
      dino: { outDim: 32, bottleneck: 8 },
      ...extra,
    }),
    "/tmp/methods.ssl.json",
  );
  assert.ok(config, JSON.stringify(issues));
  return config;
}

let data: ImageDataset;
async function dataset(): Promise<ImageDataset> {
  await tf.setBackend("cpu");
  data ??= (await loadDataset(tinyConfig("simclr"), "/tmp")).train;
  return data;
}

function views(config: Experiment, d: ImageDataset, n: number, seed = 1): tf.Tensor4D[] {
  return augmentBatch(d, Int32Array.from({ length: n }, (_, i) => i), { seed, epoch: 0, epochs: 1 }, viewInstances(config)).views;
}

import { maxAbsDiff } from "./pixels";
import { assertGradientCacheMatchesTape, assertTrainsWithoutLeaks, progress, values } from "./methodChecks";

for (const method of JOINT) {
  test(`${method}: trains on real views with finite losses, moves its weights, leaks nothing`, async () => {
    const d = await dataset();
    const config = tinyConfig(method);
    const model = buildModel(config, d.channels);
    const optimizer = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
    assertTrainsWithoutLeaks(model, optimizer, d, config);
    disposeModel(model);
    optimizer.dispose();
  });

  test(`${method}: the gradient cache gives the gradients of one tape over the same chunks`, async () => {
    const d = await dataset();
    const config = tinyConfig(method);
    const model = buildModel(config, d.channels);
    const vs = views(config, d, 8);
    assertGradientCacheMatchesTape(model, vs, progress(3));
    tf.dispose(vs);
    disposeModel(model);
  });
}

test("EMA targets start as copies of the online networks and follow them at the configured rate", async () => {
  const d = await dataset();
  const config = tinyConfig("byol");
  const model = buildModel(config, d.channels);
  const online = "backbone.conv2.kernel";
  assert.deepEqual(values(model, `target.${online}`), values(model, online));
  const before = { online: values(model, online), target: values(model, `target.${online}`) };
  const optimizer = createOptimizer("sgd", { momentum: 0, weightDecay: 0 });
  trainStep(model, optimizer, d, Int32Array.from({ length: 8 }, (_, i) => i), progress(5), 0.5, config).dispose();
  const after = { online: values(model, online), target: values(model, `target.${online}`) };
  const m = cosineMomentum(config.byol.tau, progress(5));
  assert.ok(m > config.byol.tau && m < 1, `momentum ${m} on BYOL's cosine schedule`);
  const expected = before.target.map((t, i) => m * t + (1 - m) * after.online[i]!);
  assert.ok(maxAbsDiff(after.target, expected) < 1e-6);
  assert.ok(maxAbsDiff(after.online, before.online) > 0);
  assert.equal(cosineMomentum(0.996, { ...progress(0), totalSteps: 100 }), 0.996);
  assert.equal(cosineMomentum(0.996, { ...progress(100), totalSteps: 100 }), 1);
  disposeModel(model);
  optimizer.dispose();
});

test("MoCo enqueues the step's normalised keys over the oldest ones, wrapping around", async () => {
  const d = await dataset();
  const config = tinyConfig("moco"); // queue 24, batch 8
  const model = buildModel(config, d.channels);
  const optimizer = createOptimizer("sgd", { momentum: 0, weightDecay: 0 });
  const initial = values(model, "moco.queue");
  const rows = (q: Float32Array, from: number, to: number) => q.slice(from * 8, to * 8);
  for (let s = 0; s < 4; s++) trainStep(model, optimizer, d, Int32Array.from({ length: 8 }, (_, i) => i + 8 * s), progress(s), 0.05, config).dispose();
  const queue = values(model, "moco.queue");
  assert.deepEqual(Array.from(values(model, "moco.queuePtr")), [8], "4 steps of 8 keys in a queue of 24: the pointer wrapped to 8");
  for (let r = 0; r < 24; r++) {
    const norm = Math.hypot(...rows(queue, r, r + 1));
    assert.ok(Math.abs(norm - 1) < 1e-5, `row ${r} is a unit key`);
  }
  assert.ok(maxAbsDiff(rows(queue, 0, 24), rows(initial, 0, 24)) > 0.1, "every row was replaced");
  disposeModel(model);
  optimizer.dispose();
});

test("SwAV keeps its prototypes fixed during the first epoch, then trains them", async () => {
  const d = await dataset();
  const config = tinyConfig("swav", { swav: { prototypes: 10, freezePrototypesEpochs: 1 } });
  const model = buildModel(config, d.channels);
  const optimizer = createOptimizer("sgd", { momentum: 0, weightDecay: 0 });
  const start = values(model, PROTOTYPES);
  trainStep(model, optimizer, d, Int32Array.from({ length: 8 }, (_, i) => i), progress(3, 0), 0.5, config).dispose();
  assert.deepEqual(values(model, PROTOTYPES), start, "epoch 0: frozen");
  trainStep(model, optimizer, d, Int32Array.from({ length: 8 }, (_, i) => i), progress(13, 1), 0.5, config).dispose();
  assert.ok(maxAbsDiff(values(model, PROTOTYPES), start) > 0, "epoch 1: trained");
  disposeModel(model);
  optimizer.dispose();
});

test("DINO: the teacher temperature warms up linearly, the centre follows the teacher's mean output", async () => {
  const c = { teacherTemp: 0.07, warmupTeacherTemp: 0.04, warmupTeacherTempEpochs: 2 };
  assert.equal(teacherTemperature(c, progress(0)), 0.04);
  assert.ok(Math.abs(teacherTemperature(c, progress(10)) - 0.055) < 1e-12);
  assert.equal(teacherTemperature(c, progress(20)), 0.07);
  assert.equal(teacherTemperature({ ...c, warmupTeacherTempEpochs: 0 }, progress(0)), 0.07);

  const d = await dataset();
  const config = tinyConfig("dino");
  assert.deepEqual(viewInstances(config).map((v) => v.size), [12, 12, 5, 5, 5, 5, 5, 5], "2 global + 6 local crops");
  const model = buildModel(config, d.channels);
  const optimizer = createOptimizer("sgd", { momentum: 0, weightDecay: 0 });
  assert.ok(values(model, "dino.center").every((x) => x === 0));
  const p = progress(2);
  const vs = views(config, d, 8);
  const teacher = tf.tidy(() => {
    const out = model.method.forward(vs, { training: false, updates: [] }, p);
    return tf.mean(tf.stack([out.t0!, out.t1!]), [0, 1]).dataSync();
  });
  tf.dispose(vs);
  trainStep(model, optimizer, d, Int32Array.from({ length: 8 }, (_, i) => i), p, 0.05, config).dispose();
  // The trainer's forward runs in training mode (batch statistics), so only compare the scale: centre = 0.1 x the batch mean.
  const center = values(model, "dino.center");
  assert.ok(center.some((x) => x !== 0));
  const ratio = Math.hypot(...center) / Math.hypot(...teacher);
  assert.ok(ratio > 0.02 && ratio < 0.5, `centre moved by (1 - 0.9) of the teacher mean: norm ratio ${ratio}`);
  disposeModel(model);
  optimizer.dispose();
});

for (const method of ["moco", "dino"] as Method[]) {
  test(`${method}: a model restored from a checkpoint's arrays continues exactly as the uninterrupted one (EMA target, queue, centre included)`, async () => {
    const d = await dataset();
    const config = tinyConfig(method);
    const run = async (restoreAfter?: number) => {
      let model = buildModel(config, d.channels);
      let optimizer = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
      for (let s = 0; s < 3; s++) {
        if (s === restoreAfter) {
          const arrays = new Map((await modelArrays(model, optimizer)).map((a) => [a.name, { ...a, values: Float32Array.from(a.values) }]));
          disposeModel(model);
          optimizer.dispose();
          model = buildModel(config, d.channels);
          // Scrambled, so that everything must come from the arrays.
          for (const { variable } of savedVariables(model)) variable.assign(tf.add(variable, 1));
          optimizer = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
          restoreModel(model, optimizer, arrays, s, "memory");
        }
        trainStep(model, optimizer, d, Int32Array.from({ length: 8 }, (_, i) => i + 8 * s), progress(s), 0.05, config).dispose();
      }
      const out = savedVariables(model).map((v) => ({ name: v.name, values: Array.from(v.variable.dataSync()) }));
      disposeModel(model);
      optimizer.dispose();
      return out;
    };
    const straight = await run();
    const resumed = await run(2);
    assert.ok(straight.some((v) => v.name.startsWith("target.")));
    assert.deepEqual(resumed, straight);
  });
}
