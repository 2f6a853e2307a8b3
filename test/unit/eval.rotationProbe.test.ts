import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { ImageDataset } from "../../src/core/data/dataset";
import { loadEmbedded } from "../../src/core/data/embedded";
import { rotate90, rotationProbe } from "../../src/core/eval/rotationProbe";
import { convnet } from "../../src/core/models/convnet";
import { ParamBuilder } from "../../src/core/models/layers";
import { Rng } from "../../src/core/random";

test("rotate90 turns images counter-clockwise, as numpy's rot90 over (h, w)", async () => {
  await tf.setBackend("cpu");
  // One 2x3 single-channel image: [[1, 2, 3], [4, 5, 6]].
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  const expected: [number[], number[]][] = [
    [[1, 2, 3, 4, 5, 6], [1, 2, 3, 1]],
    [[3, 6, 2, 5, 1, 4], [1, 3, 2, 1]], // np.rot90(m, 1)
    [[6, 5, 4, 3, 2, 1], [1, 2, 3, 1]],
    [[4, 1, 5, 2, 6, 3], [1, 3, 2, 1]], // np.rot90(m, 3)
  ];
  const before = tf.memory().numTensors;
  for (let k = 0; k < 4; k++) {
    const y = rotate90(x, k);
    assert.deepEqual([...(await y.data())], expected[k]![0], `k=${k}`);
    assert.deepEqual(y.shape, expected[k]![1]);
    y.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
  const back = rotate90(rotate90(x, 1), -1);
  assert.deepEqual([...(await back.data())], [1, 2, 3, 4, 5, 6]);
  x.dispose();
});

function unlabelled(data: ImageDataset): ImageDataset {
  return { source: data.source, count: data.count, height: data.height, width: data.width, channels: data.channels, pixels: data.pixels };
}

test("rotation probe: a tiny ConvNet tells rotated Fashion-MNIST images apart well above chance, without labels", async () => {
  await tf.setBackend("cpu");
  const { train } = await loadEmbedded("fashion-mnist-5k");
  const vars = new ParamBuilder(new Rng(11));
  const backbone = convnet(vars, "backbone", 1, 0.25);
  const before = tf.memory().numTensors;
  // 200 images (a seeded subset) at 16x16 keep the 800 forward passes cheap on the cpu backend.
  const result = await rotationProbe(backbone, unlabelled(train), { size: 16, seed: 4, maxImages: 200, epochs: 20 });
  assert.equal(tf.memory().numTensors, before, "no tensor leaked");
  assert.equal(result.testImages, 50);
  assert.equal(result.trainImages, 135); // 150 left after the test part, 10% of them validate
  // Chance is 0.25; over 4 x 50 test rows its standard error is ~0.03.
  assert.ok(result.accuracy > 0.4, `rotation accuracy ${result.accuracy} should be well above chance (0.25)`);
  for (const p of vars.params) p.variable.dispose();
  for (const b of vars.buffers) b.variable.dispose();
});

test("rotation probe: images that look the same in every orientation give chance accuracy", async () => {
  await tf.setBackend("cpu");
  const vars = new ParamBuilder(new Rng(2));
  const backbone = convnet(vars, "backbone", 1, 0.25);
  const rng = new Rng(8);
  const count = 40;
  // Every image is one grey level: its four rotations are the same image.
  const pixels = new Uint8Array(count * 8 * 8);
  for (let i = 0; i < count; i++) pixels.fill(rng.int(256), i * 64, (i + 1) * 64);
  const data: ImageDataset = { source: "flat", count, height: 8, width: 8, channels: 1, pixels };
  const result = await rotationProbe(backbone, data, { size: 8, seed: 1 });
  assert.equal(result.accuracy, 0.25);
  for (const p of vars.params) p.variable.dispose();
  for (const b of vars.buffers) b.variable.dispose();
});
