// The saliencyCut op: an image it fires on becomes its region map painted with
// the draw's random palette; the others stay as they are.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { parseExperiment } from "../../src/core/config/load";
import { applyView, sampleViewPlans, viewInstances, type DrawOf } from "../../src/core/augment";
import type { RegionMap } from "../../src/core/saliency/types";

const SIZE = 6;
const view = (p: number) => viewInstances({ imageSize: SIZE, method: "simclr", augment: { views: [{ name: "v", count: 1, ops: [{ op: "saliencyCut", p }] }] as never } })[0]!;
const ctx = { seed: 3, epoch: 0, epochs: 1, srcHeight: SIZE, srcWidth: SIZE };

/** Image i: left half background (0), right half region 1, bottom-right quarter region 2. */
const regionMap = (): RegionMap => {
  const regions = new Uint16Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = SIZE / 2; x < SIZE; x++) regions[y * SIZE + x] = y < SIZE / 2 ? 1 : 2;
  return { regions, regionCount: 2 };
};

test("fired images become their region map in random colours, one colour per region, new colours per draw", async () => {
  await tf.setBackend("cpu");
  const images = tf.fill([3, SIZE, SIZE, 3], 0.25) as tf.Tensor4D;
  const plans = sampleViewPlans(view(1), [0, 1, 2], ctx);
  const looked: number[] = [];
  const out = applyView(images, view(1), plans, { regionMap: (i) => (looked.push(i), regionMap()) });
  const px = (await out.array()) as number[][][][];
  assert.deepEqual(looked, [0, 1, 2]);
  const colours = px.map((img) => [img[0]![0]!, img[0]![SIZE - 1]!, img[SIZE - 1]![SIZE - 1]!].map((c) => c.join(",")));
  for (const [b, img] of px.entries()) {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const region = x < SIZE / 2 ? 0 : y < SIZE / 2 ? 1 : 2;
        assert.equal(img[y]![x]!.join(","), colours[b]![region], `image ${b} pixel ${x},${y}`);
      }
    }
  }
  assert.equal(new Set(colours.map((c) => c.join("|"))).size, 3, "each draw has its own palette");
  const palettes = plans.map((p) => (p.draws[0] as DrawOf<"saliencyCut">).palette);
  assert.equal(new Set(palettes).size, 3);
  tf.dispose([images, out]);
});

test("images the op does not fire on are untouched and need no region map; a fired one without maps names the build command", async () => {
  await tf.setBackend("cpu");
  const images = tf.randomUniform([2, SIZE, SIZE, 1]) as tf.Tensor4D;
  const out = applyView(images, view(0), sampleViewPlans(view(0), [0, 1], ctx));
  assert.deepEqual(await out.data(), await images.data());
  assert.throws(() => applyView(images, view(1), sampleViewPlans(view(1), [0, 1], ctx)), /ssl-studio cache build/);
  const small = { regions: new Uint16Array(4), regionCount: 0 };
  assert.throws(() => applyView(images, view(1), sampleViewPlans(view(1), [0, 1], ctx), { regionMap: () => small }), /has 4 pixels, the image 6x6/);
  tf.dispose([images, out]);
});

test("saliencyCut must come before the crop: it replaces the whole source image", () => {
  const doc = { dataset: { format: "embedded", name: "fashion-mnist-5k" }, augment: { views: [{ count: 2, ops: [{ op: "randomResizedCrop" }, { op: "saliencyCut" }] }] } };
  const { issues } = parseExperiment(JSON.stringify(doc), "x.ssl.json");
  assert.deepEqual(
    issues.map((i) => [i.field, i.message]),
    [["augment.views.0.ops.1", "saliencyCut replaces the whole source image: put it before randomResizedCrop"]],
  );
});
