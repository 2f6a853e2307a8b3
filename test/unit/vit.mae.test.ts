// The ViT backbone and MAE: LayerNorm, patchify, the masks, the loss over
// hidden patches, norm_pix targets, training on the real step, the gradient
// cache, the snapshot grid and the config rules.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { parseExperiment } from "../../src/core/config/load";
import type { Experiment } from "../../src/core/config/schema";
import { loadDataset } from "../../src/core/data/load";
import { buildModel, disposeModel } from "../../src/core/models/build";
import { ParamBuilder, layerNorm, dense, type ForwardContext } from "../../src/core/models/layers";
import { isVit, patchify, sinCos2d, unpatchify, vit } from "../../src/core/models/vit";
import { maeLoss, maeReconstructions, normalizePatches, trainingMasks, visibleCount } from "../../src/core/methods/mae";
import { snapshotPng } from "../../src/core/methods/snapshotGrid";
import { decodePng } from "../../src/core/augment/png";
import { createOptimizer } from "../../src/core/optim";
import { Rng } from "../../src/core/random";
import { gradientCache, trainStep, wholeBatch } from "../../src/trainer/trainStep";
import { assertClose, randomPixels } from "./pixels";

const eval_: ForwardContext = { training: false, updates: [] };
const progress = (step: number) => ({ step, totalSteps: 100, epoch: 0, stepsPerEpoch: 100 });

function maeConfig(extra: object = {}): Experiment {
  const { config, issues } = parseExperiment(
    JSON.stringify({
      method: "mae",
      dataset: { format: "embedded", name: "fashion-mnist-5k" },
      imageSize: 16,
      limit: { train: 16, test: 8 },
      model: { backbone: "vit", vit: { depth: 2, dim: 32, heads: 2, patchSize: 4 } },
      mae: { decoderWidth: 32, decoderDepth: 1 },
      train: { batchSize: 8 },
      ...extra,
    }),
    "/tmp/mae.ssl.json",
  );
  assert.ok(config, JSON.stringify(issues));
  return config;
}

const images = (n: number, size: number, channels: number, seed: number) =>
  tf.tensor4d(randomPixels(n * size * size * channels, seed), [n, size, size, channels]);

test("LayerNorm matches hand-computed values", async () => {
  await tf.setBackend("cpu");
  const b = new ParamBuilder(new Rng(0));
  const v = b.layerNorm("ln", 4);
  v.gamma.assign(tf.tensor1d([1, 1, 2, 0.5]));
  v.beta.assign(tf.tensor1d([0, 1, 0, -1]));
  // Row 1: mean 2.5, biased variance 1.25, so (x − 2.5)/√1.25 = [−1.3416408, −0.4472136, 0.4472136, 1.3416408].
  // Row 2: constant, so only beta is left.
  const y = layerNorm(tf.tensor2d([[1, 2, 3, 4], [7, 7, 7, 7]]), v);
  assertClose(y.dataSync(), [-1.3416408, 0.5527864, 0.8944272, -0.3291796, 0, 1, 0, -1], 2e-6, "layerNorm");
  b.dispose();
});

test("dense's own gradient equals tfjs's autodiff of x·W + b", async () => {
  await tf.setBackend("cpu");
  const b = new ParamBuilder(new Rng(1));
  const d = b.dense("fc", 5, 3);
  const x = tf.tensor2d(randomPixels(20, 2), [4, 5]);
  const plain = (x: tf.Tensor2D, v: typeof d) => tf.add(tf.matMul(x, v.kernel as tf.Tensor2D), v.bias) as tf.Tensor2D;
  const f = (layer: typeof dense) => tf.variableGrads(() => tf.sum(tf.square(layer(x, d))) as tf.Scalar, [d.kernel, d.bias]);
  const [a, r] = [f(dense), f(plain)];
  assertClose(a.value.dataSync(), r.value.dataSync(), 1e-5, "value");
  for (const k of Object.keys(r.grads)) assertClose(a.grads[k]!.dataSync(), r.grads[k]!.dataSync(), 1e-5, k);
  b.dispose();
});

test("patchify orders patches by raster and pixels by (y, x, channel); unpatchify inverts it exactly", async () => {
  await tf.setBackend("cpu");
  const x = tf.reshape(tf.range(0, 16, 1, "float32"), [1, 4, 4, 1]) as tf.Tensor4D;
  assert.deepEqual(Array.from(patchify(x, 2).dataSync()), [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  const rgb = images(2, 8, 3, 7);
  const wide = tf.concat([rgb, rgb], 2) as tf.Tensor4D; // 8x16: a 2x4 grid of 4x4 patches
  const patches = patchify(wide, 4);
  assert.deepEqual(patches.shape, [2, 8, 48]);
  assert.deepEqual(Array.from(unpatchify(patches, 4, { h: 2, w: 4 }, 3).dataSync()), Array.from(wide.dataSync()));
  tf.dispose([x, rgb, wide, patches]);
});

test("2D sin-cos position embeddings: column in the first half, row in the second", () => {
  const e = sinCos2d(8, 2, 3); // quarter 2: ω = [1, 0.01]
  const row = (l: number) => Array.from(e.subarray(l * 8, l * 8 + 8));
  assertClose(row(0), [0, 0, 1, 1, 0, 0, 1, 1], 1e-7, "origin");
  assertClose(row(4), [Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01), Math.sin(1), Math.sin(0.01), Math.cos(1), Math.cos(0.01)], 1e-6, "row 1, column 1");
  assertClose(row(2).slice(4), [0, 0, 1, 1], 1e-7, "row 0 has the row half of the origin");
});

test("masks keep round((1 − ratio)·L) patches per image, are fixed by (seed, step, row), and differ between images", () => {
  assert.equal(visibleCount(49, 0.75), 12);
  assert.equal(visibleCount(64, 0.75), 16);
  assert.equal(visibleCount(16, 0.6), 6);
  const m = trainingMasks(3, 5, 0, 8, 49, 0.75);
  for (let i = 0; i < 8; i++) {
    assert.equal(m.visible[i]!.length, 12);
    assert.equal(m.mask.subarray(i * 49, (i + 1) * 49).reduce((a, b) => a + b, 0), 37, `image ${i}: 37 hidden`);
    for (const l of m.visible[i]!) assert.equal(m.mask[i * 49 + l], 0);
  }
  assert.equal(new Set(m.visible.map((v) => v.join(","))).size, 8, "every image has its own mask");
  const chunk = trainingMasks(3, 5, 4, 4, 49, 0.75); // rows 4..7 drawn as a chunk of the gradient cache
  assert.deepEqual(chunk.visible, m.visible.slice(4));
  assert.notDeepEqual(trainingMasks(3, 6, 0, 8, 49, 0.75).visible, m.visible, "another step, other masks");
  assert.notDeepEqual(trainingMasks(4, 5, 0, 8, 49, 0.75).visible, m.visible, "another seed, other masks");
});

test("the loss counts hidden patches only; norm_pix targets have zero mean and unit std per patch", async () => {
  await tf.setBackend("cpu");
  const target = tf.tensor3d(randomPixels(2 * 4 * 16, 11), [2, 4, 16]);
  const mask = tf.tensor2d([[1, 0, 1, 0], [0, 0, 0, 1]]);
  const pred = tf.zeros([2, 4, 16]) as tf.Tensor3D;
  const base = maeLoss(pred, target, mask).dataSync();
  const sq = Array.from(target.dataSync(), (t) => t * t);
  const patchMse = (i: number, l: number) => sq.slice((i * 4 + l) * 16, (i * 4 + l + 1) * 16).reduce((a, b) => a + b, 0) / 16;
  assertClose(base, [(patchMse(0, 0) + patchMse(0, 2)) / 2, patchMse(1, 3)], 1e-6, "mean over hidden patches");
  const bump = (i: number, l: number) => tf.add(pred, tf.reshape(tf.oneHot(tf.tensor1d([(i * 4 + l) * 16 + 3], "int32"), 2 * 4 * 16), [2, 4, 16])) as tf.Tensor3D;
  assert.deepEqual(Array.from(maeLoss(bump(0, 1), target, mask).dataSync()), Array.from(base), "a visible patch's prediction does not count");
  assert.notDeepEqual(Array.from(maeLoss(bump(0, 2), target, mask).dataSync()), Array.from(base), "a hidden patch's does");

  const norm = normalizePatches(target).arraySync();
  for (const patch of norm.flat()) {
    const mean = patch.reduce((a, b) => a + b, 0) / patch.length;
    const variance = patch.reduce((a, b) => a + (b - mean) ** 2, 0) / (patch.length - 1);
    assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(variance) - 1) < 1e-4, `std ${Math.sqrt(variance)}`);
  }
  tf.dispose([target, mask, pred]);
});

test("ViT backbone: a pooled feature per stage, the last one apply's; CLS pooling; nothing leaks", async () => {
  await tf.setBackend("cpu");
  for (const pool of ["mean", "cls"] as const) {
    const b = new ParamBuilder(new Rng(5));
    const net = vit(b, "backbone", 3, { patchSize: 4, depth: 3, dim: 16, heads: 2, mlpRatio: 2, pool });
    assert.ok(isVit(net));
    assert.deepEqual(net.stageNames, ["block1", "block2", "block3"]);
    assert.equal(b.params.some((p) => p.name === "backbone.cls"), pool === "cls");
    const x = images(3, 8, 3, 9);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const out = net.apply(x, eval_);
      const stages = net.stages(x, eval_);
      assert.equal(stages.length, net.stageNames.length);
      for (const s of stages) assert.deepEqual(s.shape, [3, 16]);
      assertClose(stages[2]!.dataSync(), out.dataSync(), 1e-6, `${pool}: last stage = apply`);
      const map = net.featureMap!(x, eval_);
      assert.deepEqual(map.shape, [3, 2, 2, 16]);
      if (pool === "mean") assertClose(tf.mean(map, [1, 2]).dataSync(), out.dataSync(), 1e-5, "apply is the map's mean");
      // Encoding every patch, in order, is apply before pooling.
      const all = Int32Array.from({ length: 3 * 4 }, (_, r) => r);
      const tokens = net.encode(patchify(x, 4), { h: 2, w: 2 }, eval_, all);
      const pooled = pool === "cls" ? tf.slice(tokens, [0, 0, 0], [3, 1, 16]) : tf.mean(tokens, 1);
      assertClose(pooled.dataSync(), out.dataSync(), 1e-5, `${pool}: encode`);
    });
    assert.equal(tf.memory().numTensors, before, "no tensor leaks");
    x.dispose();
    b.dispose();
  }
});

test("MAE trains on the real step: the loss falls on a fixed batch, no tensor survives a step", async () => {
  await tf.setBackend("cpu");
  const config = maeConfig();
  const data = (await loadDataset(config, "/tmp")).train;
  const model = buildModel(config, data.channels);
  const optimizer = createOptimizer("adam", { momentum: 0.9, weightDecay: 0 });
  const batch = Int32Array.from({ length: 8 }, (_, i) => i);
  const losses: number[] = [];
  let before = 0;
  for (let s = 0; s < 14; s++) {
    if (s === 1) before = tf.memory().numTensors; // after the optimiser made its slots
    const loss = trainStep(model, optimizer, data, batch, progress(s), 3e-3, config);
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  assert.equal(tf.memory().numTensors, before, "no tensor survives a step");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(losses.every(Number.isFinite));
  assert.ok(mean(losses.slice(-3)) < 0.85 * mean(losses.slice(0, 3)), `losses ${losses.map((l) => l.toFixed(3)).join(" ")}`);
  disposeModel(model);
  optimizer.dispose();
});

test("MAE: the gradient cache (chunks of 4 of 8) gives the whole batch's loss and gradients", async () => {
  await tf.setBackend("cpu");
  for (const pool of ["mean", "cls"] as const) {
    const config = maeConfig({ model: { backbone: "vit", vit: { depth: 2, dim: 32, heads: 2, patchSize: 4, pool } } });
    const model = buildModel(config, 1);
    const views = [images(8, 16, 1, 21)];
    const whole = wholeBatch(model, views, model.vars.params, progress(7));
    const before = tf.memory().numTensors;
    const cached = gradientCache(model, views, 4, model.vars.params, progress(7));
    assert.equal(tf.memory().numTensors - before, 1 + Object.keys(cached.grads).length + 1, "only the loss, the gradients and the per-image losses survive");
    assert.deepEqual(cached.outputs.loss!.shape, [8]);
    assertClose(cached.outputs.loss!.dataSync(), whole.outputs.loss!.dataSync(), 1e-5, "per-image losses");
    assert.ok(Math.abs(cached.loss.dataSync()[0]! - whole.loss.dataSync()[0]!) < 1e-5);
    assert.deepEqual(Object.keys(cached.grads).sort(), Object.keys(whole.grads).sort());
    assert.equal(Object.keys(whole.grads).length, model.vars.params.length, "every parameter gets a gradient");
    for (const name of Object.keys(whole.grads)) {
      const ref = whole.grads[name]!.dataSync();
      const scale = Math.max(1e-6, ...Array.from(ref, Math.abs));
      const got = cached.grads[name]!.dataSync();
      const diff = Math.max(...Array.from(got, (g, i) => Math.abs(g - ref[i]!)));
      assert.ok(diff / scale < 1e-4, `${pool}: gradient of ${name}: ${diff / scale}`);
    }
    tf.dispose([whole.loss, cached.loss, ...Object.values(whole.grads), ...Object.values(cached.grads), ...Object.values(whole.outputs), ...Object.values(cached.outputs), ...views]);
    disposeModel(model);
  }
});

test("MAE snapshot: original, masked and reconstruction tiles, a PNG grid, nothing leaks", async () => {
  await tf.setBackend("cpu");
  const config = maeConfig({ model: { backbone: "vit", vit: { depth: 1, dim: 16, heads: 2, patchSize: 4 } } });
  const model = buildModel(config, 1);
  const x = images(3, 16, 1, 4);
  const before = tf.memory().numTensors;
  const columns = model.method.snapshot!(x, 1);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(columns.map((c) => c.label), ["original", "masked", "reconstruction"]);
  const r = maeReconstructions(model.method, x, 1);
  assert.deepEqual(r.reconstruction.map((t) => Array.from(t.pixels)), columns[2]!.tiles.map((t) => Array.from(t.pixels)), "same seed, same masks");
  for (let image = 0; image < 3; image++) {
    const [o, m, rec] = [r.original, r.masked, r.reconstruction].map((tiles) => tiles[image]!.pixels);
    let hidden = 0;
    for (let patch = 0; patch < 16; patch++) {
      const at = Array.from({ length: 16 }, (_, k) => (Math.floor(patch / 4) * 4 + Math.floor(k / 4)) * 16 + (patch % 4) * 4 + (k % 4));
      if (at.every((i) => m[i] === 128)) hidden++;
      else for (const i of at) assert.ok(m[i] === o[i] && rec[i] === o[i], "a visible patch is the original in the masked and reconstructed tiles");
    }
    assert.equal(hidden, 16 - visibleCount(16, 0.75), "hidden patches are grey in the masked tile");
  }
  const png = await decodePng(await snapshotPng(columns, { scale: 2, gap: 1 }));
  assert.deepEqual([png.width, png.height, png.channels], [1 + 3 * 33, 1 + 3 * 33, 1]);
  x.dispose();
  disposeModel(model);
});

test("config: mae needs the vit backbone; the patch size must divide the image", () => {
  const issues = (extra: object) =>
    parseExperiment(JSON.stringify({ method: "mae", dataset: { format: "embedded", name: "fashion-mnist-5k" }, ...extra }), "/tmp/c.ssl.json").issues;
  const wrong = issues({ model: { backbone: "convnet" } });
  assert.ok(wrong.some((i) => i.field === "model.backbone" && i.message === "mae needs the vit backbone"), JSON.stringify(wrong));
  assert.ok(issues({ model: { backbone: "vit" }, imageSize: 30 }).some((i) => i.field === "model.vit.patchSize"));
  assert.ok(issues({ model: { backbone: "vit", vit: { dim: 96, heads: 5 } } }).some((i) => i.field === "model.vit.heads"));
  assert.deepEqual(issues({ model: { backbone: "vit" }, imageSize: 28 }), []);
  const { config } = parseExperiment(JSON.stringify({ method: "mae", dataset: { format: "embedded", name: "fashion-mnist-5k" }, model: { backbone: "vit" } }), "/tmp/c.ssl.json");
  assert.deepEqual(config!.mae, { maskRatio: 0.75, normPixLoss: true, decoderDepth: 2, decoderWidth: 64, decoderHeads: 2 });
  assert.deepEqual(config!.model.vit, { patchSize: 4, depth: 6, dim: 128, heads: 4, mlpRatio: 4, pool: "mean" });
  assert.equal(config!.augment.preset, undefined, "the method's own policy: one crop view");
});

test("MAE on wasm: the loss and gradients of the cpu backend (gathers, custom gradients, batched attention)", async () => {
  const config = maeConfig({ model: { backbone: "vit", vit: { depth: 1, dim: 16, heads: 2, patchSize: 4, pool: "cls" } } });
  const run = async (backend: string) => {
    assert.ok(await tf.setBackend(backend));
    const model = buildModel(config, 3);
    const views = [images(4, 16, 3, 8)];
    const r = wholeBatch(model, views, model.vars.params, progress(2));
    const byName = new Map(model.vars.params.map((q) => [q.variable.name, q.name]));
    const grads = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [byName.get(k)!, Float32Array.from(g.dataSync())]));
    const loss = r.loss.dataSync()[0]!;
    tf.dispose([r.loss, ...Object.values(r.grads), ...Object.values(r.outputs), ...views]);
    disposeModel(model);
    return { loss, grads };
  };
  try {
    const cpu = await run("cpu");
    const wasm = await run("wasm");
    assert.ok(Math.abs(wasm.loss - cpu.loss) < 1e-4 * Math.abs(cpu.loss), `loss ${wasm.loss} vs ${cpu.loss}`);
    assert.deepEqual(Object.keys(wasm.grads).sort(), Object.keys(cpu.grads).sort());
    for (const [name, ref] of Object.entries(cpu.grads)) {
      const scale = Math.max(1e-6, ...Array.from(ref, Math.abs));
      assertClose(wasm.grads[name]!, ref, 1e-3 * scale, `gradient of ${name}`);
    }
  } finally {
    await tf.setBackend("cpu");
  }
});
