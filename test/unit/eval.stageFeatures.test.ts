import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { ImageDataset } from "../../src/core/data/dataset";
import { extractFeatures, imageBatch } from "../../src/core/eval/features";
import { extractStageFeatures } from "../../src/core/eval/stageFeatures";
import { convnet } from "../../src/core/models/convnet";
import { ParamBuilder } from "../../src/core/models/layers";
import { Rng } from "../../src/core/random";
import { maxAbsDiff } from "./pixels";

function dataset(count: number, size: number, seed: number): ImageDataset {
  const rng = new Rng(seed);
  const pixels = Uint8Array.from({ length: count * size * size }, () => rng.int(256));
  return { source: "synthetic", count, height: size, width: size, channels: 1, pixels };
}

test("stage features: one matrix per stage, the last equal to extractFeatures, any batching", async () => {
  await tf.setBackend("cpu");
  const vars = new ParamBuilder(new Rng(7));
  const backbone = convnet(vars, "backbone", 1, 0.25);
  const data = dataset(10, 12, 1);
  const before = tf.memory().numTensors;
  const stages = extractStageFeatures(backbone, data, 16, 4); // resized 12 -> 16, batches of 4, 4, 2
  const last = extractFeatures(backbone, data, 16, 3);
  assert.equal(stages.length, backbone.stageNames.length);
  stages.forEach((s, i) => assert.equal(s.shape[0], 10, `stage ${backbone.stageNames[i]} rows`));
  assert.deepEqual(stages.at(-1)!.shape, [10, backbone.outDim]);
  assert.ok(maxAbsDiff(await stages.at(-1)!.data(), await last.data()) < 1e-5);
  // Rows follow dataset order: image 7 alone gives row 7.
  const one = tf.tidy(() => backbone.stages(imageBatch(data, 7, 1, 16), { training: false, updates: [] }));
  for (let s = 0; s < stages.length; s++) {
    const d = stages[s]!.shape[1];
    assert.ok(maxAbsDiff(await one[s]!.data(), (await stages[s]!.data()).subarray(7 * d, 8 * d)) < 1e-5);
  }
  for (const t of [...stages, last, ...one]) t.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  for (const p of vars.params) p.variable.dispose();
  for (const b of vars.buffers) b.variable.dispose();
});

test("feature extraction runs in evaluation mode: running statistics used, none updated", async () => {
  await tf.setBackend("cpu");
  const vars = new ParamBuilder(new Rng(3));
  const backbone = convnet(vars, "backbone", 1, 0.25);
  const data = dataset(4, 8, 2);
  const snapshot = async () => Promise.all(vars.buffers.map((b) => b.variable.data()));
  const bufs = await snapshot();
  const a = extractFeatures(backbone, data, 8);
  const b = extractFeatures(backbone, data, 8, 1); // per-image batches: batch statistics would differ
  assert.ok(maxAbsDiff(await a.data(), await b.data()) < 1e-5);
  (await snapshot()).forEach((v, i) => assert.deepEqual(v, bufs[i]));
  a.dispose();
  b.dispose();
});

test("an empty dataset is an error, not an empty concat", () => {
  const vars = new ParamBuilder(new Rng(1));
  const backbone = convnet(vars, "backbone", 1, 0.25);
  assert.throws(() => extractStageFeatures(backbone, dataset(0, 8, 1), 8), /holds no images/);
});
