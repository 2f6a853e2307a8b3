import { test } from "node:test";
import assert from "node:assert/strict";
import { iou, saliencyScenes, sceneFixtures } from "../../src/cli/saliencyScenes";
import { histogramContrast } from "../../src/core/saliency/histogramContrast";
import { toRgb } from "../../src/core/saliency/cache/datasetImage";
import { quantize } from "../../src/core/saliency/quantize";
import { saliencyCut } from "../../src/core/saliency/saliencyCut";
import type { SaliencyParams } from "../../src/core/config/saliencySchema";
import type { RgbImage } from "../../src/core/saliency/types";

const DEFAULTS: SaliencyParams = { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" };

/** A noisy background colour with a square of another colour at (x0, y0). */
function patchImage(width: number, height: number, x0: number, y0: number, side: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = 7;
  const noise = () => ((s = (s * 1103515245 + 12345) % 2147483648) % 17) - 8;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
      const rgb = inside ? [200, 40, 50] : [60, 120, 70];
      rgb.forEach((v, c) => (data[3 * (y * width + x) + c] = v + noise()));
    }
  }
  return { width, height, data };
}

const mean = (map: Float32Array, pick: (p: number) => boolean) => {
  let sum = 0;
  let n = 0;
  map.forEach((v, p) => {
    if (pick(p)) {
      sum += v;
      n++;
    }
  });
  return sum / n;
};

test("quantisation keeps 10 to 256 colours and maps every pixel to one", async () => {
  const [scene] = await saliencyScenes(sceneFixtures(), { width: 160, height: 120, count: 1, seed: 3 });
  const q = quantize(scene!.image);
  assert.ok(q.count >= 10 && q.count <= 256, `${q.count} colours`);
  // Kept colours are numbered by their own bin's frequency; rarer bins then join them, so only the first is surely the largest.
  assert.equal(q.pixels[0], Math.max(...q.pixels));
  assert.equal(q.pixels.reduce((a, b) => a + b, 0), 160 * 120, "every pixel maps to a kept colour");
  assert.ok(Math.max(...q.index) < q.count);
});

test("histogram contrast: a rare colour is salient, the dominant one is not", () => {
  const img = patchImage(80, 60, 30, 20, 16);
  const hc = histogramContrast(img);
  const inPatch = (p: number) => {
    const x = p % 80;
    const y = Math.floor(p / 80);
    return x >= 32 && x < 44 && y >= 22 && y < 34;
  };
  const patch = mean(hc, inPatch);
  const background = mean(hc, (p) => !inPatch(p));
  assert.ok(patch > 0.8, `patch ${patch}`);
  assert.ok(background < 0.2, `background ${background}`);
});

test("SaliencyCut finds pasted objects: mean IoU >= 0.8 on textured and natural backgrounds", async () => {
  const scenes = await saliencyScenes(sceneFixtures(), { width: 160, height: 120, count: 10, seed: 11 });
  const ious: number[] = [];
  for (const s of scenes) {
    const r = await saliencyCut(s.image, DEFAULTS);
    assert.equal(r.mask.length, 160 * 120);
    ious.push(iou(r.mask, s.truth));
  }
  const meanIou = ious.reduce((a, b) => a + b, 0) / ious.length;
  assert.ok(meanIou >= 0.8, `mean IoU ${meanIou.toFixed(3)} (${ious.map((v) => v.toFixed(2)).join(", ")})`);
});

test("SaliencyCut is deterministic and reports its stages", async () => {
  const [s] = await saliencyScenes(sceneFixtures(), { width: 96, height: 96, count: 1, seed: 5 });
  const a = await saliencyCut(s!.image, { ...DEFAULTS, map: "both" });
  const b = await saliencyCut(s!.image, { ...DEFAULTS, map: "both" });
  assert.deepEqual(a.mask, b.mask);
  assert.deepEqual(a.regions, b.regions);
  assert.ok(a.hc && a.rc, "both maps kept for display");
  assert.deepEqual(
    a.timings.map((t) => t.stage),
    ["quantize", "hc", "segment", "rc", "grabcut", "regions"],
  );
  assert.ok(a.rounds >= 1 && a.rounds <= DEFAULTS.iterations);
});

test("regions label the object's segments 1..n and leave the background 0; output mask gives one region", async () => {
  const [s] = await saliencyScenes(sceneFixtures(), { width: 160, height: 120, count: 2, seed: 2 }).then((x) => x.slice(1));
  const regions = await saliencyCut(s!.image, DEFAULTS);
  const labels = new Set(regions.regions);
  assert.equal(labels.size, regions.regionCount + 1);
  regions.regions.forEach((l, p) => assert.equal(l > 0, regions.mask[p] === 1));
  const mask = await saliencyCut(s!.image, { ...DEFAULTS, output: "mask" });
  assert.equal(mask.regionCount, 1);
  assert.deepEqual(mask.regions, Uint16Array.from(mask.mask));
});

test("a working scale below 1 returns every output at the image's size", async () => {
  const [s] = await saliencyScenes(sceneFixtures(), { width: 200, height: 150, count: 1, seed: 9 });
  const r = await saliencyCut(s!.image, { ...DEFAULTS, scale: 0.5 });
  assert.equal(r.width, 200);
  assert.equal(r.height, 150);
  for (const plane of [r.mask, r.regions, r.trimap, r.rc!]) assert.equal(plane.length, 200 * 150);
  assert.ok(iou(r.mask, s!.truth) > 0.8, `IoU at half scale ${iou(r.mask, s!.truth)}`);
  assert.ok(r.timings.some((t) => t.stage === "resize") && r.timings.some((t) => t.stage === "restore"));
});

test("a flat image has no salient object: empty mask, no error; grayscale images work", async () => {
  const flat: RgbImage = { width: 48, height: 40, data: new Uint8Array(48 * 40 * 3).fill(128) };
  const r = await saliencyCut(flat, DEFAULTS);
  assert.equal(r.mask.reduce((a, b) => a + b, 0), 0);
  assert.equal(r.regionCount, 0);
  const gray = new Uint8Array(64 * 64).fill(30);
  for (let y = 20; y < 44; y++) for (let x = 20; x < 44; x++) gray[y * 64 + x] = 220;
  const g = await saliencyCut(toRgb({ width: 64, height: 64, channels: 1, pixels: gray }), DEFAULTS);
  const truth = Uint8Array.from(gray, (v) => (v > 100 ? 1 : 0));
  assert.ok(iou(g.mask, truth) > 0.8, `grayscale IoU ${iou(g.mask, truth)}`);
});
