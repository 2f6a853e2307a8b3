// The augmentation preview: it must show the very pixels training feeds the
// network (same image, seed and epoch, whatever batch the image is in), its
// choice of images, and the grid the CLI writes.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { parseExperiment } from "../../src/core/config/load";
import type { Experiment } from "../../src/core/config/schema";
import type { ImageDataset } from "../../src/core/data/dataset";
import { loadEmbedded } from "../../src/core/data/embedded";
import { Rng } from "../../src/core/random";
import { augmentBatch, viewInstances } from "../../src/core/augment";
import { previewIndices, renderPreview, toBytes, type Tile } from "../../src/core/augment/preview";
import { composeGrid, gridLayout } from "../../src/core/augment/previewGrid";
import { decodePng, encodePng } from "../../src/core/augment/png";

/** A policy that exercises most ops, each with a probability that makes some images fire and others not. */
const MANY_OPS = [
  {
    name: "strong",
    count: 1,
    ops: [
      { op: "randomResizedCrop", scale: [0.3, 1] },
      { op: "vflip", p: 0.5 },
      { op: "rotate", p: 0.6, degrees: [-40, 40], interpolation: "bilinear" },
      { op: "shearX", p: 0.5, shear: [-0.3, 0.3] },
      { op: "translateY", p: 0.5, fraction: [-0.3, 0.3] },
      { op: "colorJitter", p: 0.7 },
      { op: "sharpness", p: 0.5, factor: [0.2, 1.8] },
      { op: "gaussianBlur", p: 0.5, sigma: [0.3, 1.5] },
      { op: "solarize", p: 0.4, threshold: [0.3, 0.8] },
      { op: "posterize", p: 0.5, bits: [3, 6] },
    ],
  },
  {
    name: "tone",
    count: 1,
    ops: [
      { op: "randomResizedCrop", scale: [0.5, 1] },
      { op: "equalize", p: 0.5 },
      { op: "autoContrast", p: 0.5 },
      { op: "invert", p: 0.5 },
      { op: "rotate", p: 0.5, magnitude: 12 },
      { op: "cutout", p: 0.6, size: [0.2, 0.5] },
      { op: "grayscale", p: 0.3 },
    ],
  },
];

function experiment(augment: Record<string, unknown>, seed: number, imageSize: number): Experiment {
  const text = JSON.stringify({ seed, imageSize, dataset: { format: "embedded", name: "fashion-mnist-5k" }, augment, train: { epochs: 20 } });
  const { config, issues } = parseExperiment(text, "/nowhere/x.ssl.json", { checkPaths: false });
  assert.ok(config, JSON.stringify(issues));
  return config;
}

/** Structured RGB images (gradients, a square, noise) so that every op changes something. */
function rgbDataset(count: number, size: number): ImageDataset {
  const rng = new Rng(99);
  const pixels = new Uint8Array(count * size * size * 3);
  for (let n = 0; n < count; n++) {
    const [q0, q1] = [rng.int(size / 2), rng.int(size / 2)];
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const o = ((n * size + y) * size + x) * 3;
        const inSquare = y >= q0 && y < q0 + size / 3 && x >= q1 && x < q1 + size / 3;
        pixels[o] = inSquare ? 230 : Math.round((255 * x) / size);
        pixels[o + 1] = inSquare ? 40 : Math.round((255 * y) / size);
        pixels[o + 2] = rng.int(256);
      }
  }
  return { source: "synthetic", count, height: size, width: size, channels: 3, pixels };
}

function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `element ${i}: ${a[i]} vs ${b[i]}`;
  return undefined;
}

/**
 * The preview of (seed, epoch) against training's tensors for the same images,
 * each in a training batch of other images in another order.
 */
async function assertPreviewIsTraining(data: ImageDataset, config: Experiment, epoch: number, what: string, firing?: Map<string, number[]>): Promise<void> {
  const preview = renderPreview(data, config, { seed: config.seed, count: 6, epoch });
  const views = viewInstances(config);
  const shown = preview.images.map((img) => img.index);
  assert.equal(new Set(shown).size, 6);
  // A training batch as trainStep makes it: a shuffled slice, here with the shown images spread through it.
  const others = Array.from(Rng.derive(config.seed, "shuffle", epoch).permutation(data.count)).filter((i) => !shown.includes(i));
  const batch = [...others.slice(0, 5), shown[3]!, ...others.slice(5, 9), shown[0]!, shown[5]!, others[9]!, shown[1]!, shown[4]!, shown[2]!];
  const trained = augmentBatch(data, Int32Array.from(batch), { seed: config.seed, epoch, epochs: config.train.epochs }, views);
  try {
    const values = trained.views.map((t) => t.dataSync() as Float32Array);
    let fired = 0;
    for (const img of preview.images) {
      const b = batch.indexOf(img.index);
      for (const [v, view] of views.entries()) {
        const per = view.size * view.size * data.channels;
        const expected = values[v]!.slice(b * per, (b + 1) * per);
        const got = img.views[v]!;
        assert.equal(got.label, view.label);
        const diff = firstDifference(got.values, expected);
        assert.equal(diff, undefined, `${what}, image ${img.index}, ${view.label}: preview ≠ training at ${diff}`);
        assert.deepEqual(got.trace, trained.plans[v]![b]!.draws.filter((d) => d !== null), `${what}: trace of image ${img.index}, ${view.label}`);
        fired += got.trace.length;
        trained.plans[v]![b]!.draws.forEach((d, k) => {
          const key = `${view.label} op ${k} (${view.ops[k]!.op})`;
          firing?.set(key, [...(firing.get(key) ?? []), d === null ? 0 : 1]);
        });
        // The PNG holds round(x * 255) of those floats, byte for byte.
        const png = await decodePng(await encodePng(got.tile));
        assert.deepEqual([png.width, png.height, png.channels], [view.size, view.size, data.channels]);
        assert.deepEqual(png.pixels, toBytes(expected), `${what}: PNG of image ${img.index}, ${view.label}`);
      }
      const original = await decodePng(await encodePng(img.original));
      const per = data.height * data.width * data.channels;
      assert.deepEqual(original.pixels, Uint8Array.from(data.pixels.subarray(img.index * per, (img.index + 1) * per)));
    }
    assert.ok(fired > preview.images.length, `${what}: some ops must fire`);
  } finally {
    tf.dispose(trained.views);
  }
}

for (const backend of ["cpu", "wasm"]) {
  test(`preview pixels are training's pixels, image by image (${backend})`, async () => {
    assert.ok(await tf.setBackend(backend));
    const fashion = (await loadEmbedded("fashion-mnist-5k")).train;
    const rgb = rgbDataset(40, 24);
    const before = tf.memory().numTensors;
    const firing = new Map<string, number[]>();
    for (const [name, augment, epoch] of [
      ["simclr", { preset: "simclr" }, 0],
      ["byol", { preset: "byol" }, 3],
      ["randaugment", { preset: "randaugment" }, 7],
      ["many ops", { views: MANY_OPS }, 5],
    ] as const) {
      const many = name === "many ops" ? firing : undefined;
      await assertPreviewIsTraining(fashion, experiment(augment, 11, 28), epoch, `${name} on fashion-mnist`, many);
      await assertPreviewIsTraining(rgb, experiment(augment, 4, 20), epoch, `${name} on RGB`, many);
    }
    // Each op with p < 1 fired on some shown images and not on others: the batched kernels met mixed batches.
    for (const [key, fired] of firing) {
      if (key.includes("randomResizedCrop")) continue;
      assert.ok(fired.includes(1) && fired.includes(0), `${key}: fired ${fired.join("")}`);
    }
    assert.equal(tf.memory().numTensors, before, "no tensors leak");
  });
}

test("a views override replaces the policy; the resolved views come back with defaults filled", async () => {
  await tf.setBackend("cpu");
  const data = rgbDataset(12, 16);
  const config = experiment({ preset: "simclr" }, 2, 16);
  const views = [{ name: "solo", count: 1, ops: [{ op: "randomResizedCrop", scale: [0.5, 1] }, { op: "invert", p: 1 }] }] as never;
  const out = renderPreview(data, config, { seed: 2, count: 3, epoch: 0, views });
  assert.deepEqual(out.views.map((v) => v.name), ["solo"]);
  assert.deepEqual(out.views[0]!.ops[0], { op: "randomResizedCrop", scale: [0.5, 1], ratio: [0.75, 1.3333333] });
  assert.deepEqual(out.images[0]!.views.map((v) => v.label), ["solo"]);
  assert.deepEqual(out.images[0]!.views[0]!.trace.map((d) => d.op), ["randomResizedCrop", "invert"]);
  const simclr = renderPreview(data, config, { seed: 2, count: 3, epoch: 0 });
  assert.deepEqual(simclr.images[0]!.views.map((v) => v.label), ["view 1", "view 2"]);
});

test("previewIndices: seeded, distinct, ascending, in range, stable as the count grows", () => {
  const a = previewIndices(5, 1000, 8);
  assert.deepEqual(a, previewIndices(5, 1000, 8));
  assert.notDeepEqual(a, previewIndices(6, 1000, 8));
  assert.equal(new Set(a).size, 8);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.ok(a.every((i) => Number.isInteger(i) && i >= 0 && i < 1000));
  const more = previewIndices(5, 1000, 9);
  assert.ok(a.every((i) => more.includes(i)), "one more image keeps the ones shown");
  assert.deepEqual(previewIndices(1, 5, 8), [0, 1, 2, 3, 4], "all of a small dataset");
  assert.deepEqual(previewIndices(1, 0, 8), []);
  for (let seed = 0; seed < 50; seed++) assert.equal(new Set(previewIndices(seed, 20, 19)).size, 19);
  const big = previewIndices(3, 50_000_000, 16);
  assert.equal(new Set(big).size, 16);
  assert.ok(big.some((i) => i > 25_000_000), "draws from the whole range");
});

function tile(width: number, height: number, channels: 1 | 3, seed: number): Tile {
  const rng = new Rng(seed);
  return { width, height, channels, pixels: Uint8Array.from({ length: width * height * channels }, () => rng.int(256)) };
}

for (const channels of [1, 3] as const) {
  test(`composeGrid: every cell is its tile upscaled by nearest neighbour (${channels} channel${channels > 1 ? "s" : ""})`, async () => {
    // An original at native size, a view at imageSize and a smaller local view.
    const tiles = [0, 1, 2].map((r) => [tile(28, 28, channels, r), tile(20, 20, channels, 10 + r), tile(9, 9, channels, 20 + r)]);
    const { png, layout } = await composeGrid(tiles);
    assert.equal(layout.scale, 4, "28 px tiles grow to at least 96 px");
    assert.equal(layout.cell, 112);
    assert.deepEqual([layout.rows, layout.columns], [3, 3]);
    const info = await decodePng(png);
    const data = info.pixels;
    assert.deepEqual([info.width, info.height, info.channels], [layout.width, layout.height, channels]);
    assert.equal(layout.width, layout.gap + 3 * (layout.cell + layout.gap));
    tiles.forEach((row, r) =>
      row.forEach((t, c) => {
        const rect = layout.cells[r]![c]!;
        assert.deepEqual([rect.width, rect.height], [t.width * layout.scale, t.height * layout.scale]);
        for (let y = 0; y < rect.height; y++)
          for (let x = 0; x < rect.width; x++)
            for (let k = 0; k < channels; k++) {
              const got = data[((rect.y + y) * info.width + rect.x + x) * channels + k];
              const want = t.pixels[(Math.floor(y / layout.scale) * t.width + Math.floor(x / layout.scale)) * channels + k];
              if (got !== want) assert.fail(`cell (${r}, ${c}) pixel (${x}, ${y}) channel ${k}: ${got} ≠ ${want}`);
            }
      }),
    );
    // Gaps and the margins of a small tile's cell are background.
    assert.equal(data[0], 255);
    const small = layout.cells[0]![2]!;
    assert.equal(data[((small.y - 1) * info.width + small.x) * channels], 255);
  });
}

test("gridLayout: --scale overrides, the cell is the largest tile", () => {
  const layout = gridLayout([[{ width: 32, height: 32 }, { width: 64, height: 64 }]], { scale: 2 });
  assert.equal(layout.cell, 128);
  assert.deepEqual(layout.cells[0]![0], { x: 4 + 32, y: 4 + 32, width: 64, height: 64 });
  assert.deepEqual(layout.cells[0]![1], { x: 4 + 128 + 4, y: 4, width: 128, height: 128 });
  assert.equal(gridLayout([[{ width: 200, height: 200 }]]).scale, 1);
  assert.throws(() => gridLayout([[{ width: 8, height: 8 }]], { scale: 1.5 }), /positive integer/);
});
