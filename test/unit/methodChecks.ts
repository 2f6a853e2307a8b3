// Checks every method must pass on the real training step, shared by the
// joint-embedding and pretext method tests.
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../../src/core/config/schema";
import type { ImageDataset } from "../../src/core/data/dataset";
import { savedVariables, type SslModel } from "../../src/core/models/build";
import type { ForwardContext } from "../../src/core/models/layers";
import type { Optimizer } from "../../src/core/optim";
import type { Outputs, StepProgress } from "../../src/core/methods";
import { gradientCache, trainStep } from "../../src/trainer/trainStep";
import { maxAbsDiff } from "./pixels";

export const progress = (step: number, epoch = 0): StepProgress => ({ step, totalSteps: 20, epoch, stepsPerEpoch: 10 });
export const batchOf = (from: number, n = 8) => Int32Array.from({ length: n }, (_, i) => from + i);
export const values = (model: SslModel, name: string) => Float32Array.from(savedVariables(model).find((v) => v.name === name)!.variable.dataSync());

/** Steps 1 and 2 after a first step (which creates the optimiser's slots): finite losses, no tensor left behind, a backbone that moved. */
export function assertTrainsWithoutLeaks(model: SslModel, optimizer: Optimizer, data: ImageDataset, config: Experiment, firstLoss?: (loss: number) => void): void {
  const first = values(model, "backbone.conv1.kernel");
  const loss0 = trainStep(model, optimizer, data, batchOf(0), progress(0), 0.05, config);
  firstLoss?.(loss0.dataSync()[0]!);
  loss0.dispose();
  const before = tf.memory().numTensors;
  for (let s = 1; s < 3; s++) {
    const loss = trainStep(model, optimizer, data, batchOf(8 * s), progress(s), 0.05, config);
    assert.ok(Number.isFinite(loss.dataSync()[0]!), `${config.method} step ${s}: loss ${loss.dataSync()[0]}`);
    loss.dispose();
  }
  assert.equal(tf.memory().numTensors, before, "no tensor survives a step");
  assert.ok(maxAbsDiff(first, values(model, "backbone.conv1.kernel")) > 0, "the backbone learns");
}

/**
 * The gradient cache over chunks of 4 gives the loss and gradients of one
 * tape over the same chunked forward passes; `inspect` sees the cache's
 * outputs before they are released.
 */
export function assertGradientCacheMatchesTape(model: SslModel, views: tf.Tensor4D[], p: StepProgress, inspect?: (outputs: Outputs) => void): void {
  const n = views[0]!.shape[0];
  const reference = tf.variableGrads(() => {
    const parts = [0, 4].map((s) => {
      const ctx: ForwardContext = { training: true, updates: [], rowOffset: s };
      const out = model.method.forward(views.map((v) => tf.slice(v, [s], [Math.min(4, n - s)])), ctx, p);
      tf.dispose(ctx.updates.map((u) => u.value));
      return out;
    });
    return model.method.objective(Object.fromEntries(Object.keys(parts[0]!).map((k) => [k, tf.concat(parts.map((o) => o[k]!))])), p);
  }, model.vars.params.map((q) => q.variable));
  const cached = gradientCache(model, views, 4, model.vars.params, p);
  const ref = reference.value.dataSync()[0]!;
  assert.ok(Math.abs(cached.loss.dataSync()[0]! - ref) < 1e-4 * Math.max(1, Math.abs(ref)), `loss ${cached.loss.dataSync()[0]} vs ${ref}`);
  assert.deepEqual(Object.keys(cached.grads).sort(), Object.keys(reference.grads).sort());
  for (const name of Object.keys(reference.grads)) {
    const scale = Math.max(1e-6, ...Array.from(reference.grads[name]!.dataSync(), Math.abs));
    assert.ok(maxAbsDiff(cached.grads[name]!.dataSync(), reference.grads[name]!.dataSync()) / scale < 1e-3, `${model.method.constructor.name}: gradient of ${name}`);
  }
  inspect?.(cached.outputs);
  tf.dispose([cached.loss, reference.value, ...Object.values(cached.grads), ...Object.values(reference.grads), ...Object.values(cached.outputs)]);
}
