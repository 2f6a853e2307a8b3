// The preview's training images: an image folder is listed, only the shown
// images decoded, and they sit at the indices training gives them.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { parseExperiment } from "../../src/core/config/load";
import type { Experiment } from "../../src/core/config/schema";
import { loadDataset } from "../../src/core/data/load";
import { previewIndices } from "../../src/core/augment/preview";
import { PreviewData } from "../../src/core/augment/previewData";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-preview-data-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** 30 distinct images in two classes (interleaved by the loader). */
async function makeFolder(root: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const dir = path.join(root, i < 18 ? "a" : "b");
    fs.mkdirSync(dir, { recursive: true });
    const px = Buffer.alloc(20 * 16 * 3);
    for (let k = 0; k < px.length; k++) px[k] = (k * 7 + i * 31) % 256;
    await sharp(px, { raw: { width: 20, height: 16, channels: 3 } }).png().toFile(path.join(dir, `img${String(i).padStart(2, "0")}.png`));
  }
}

function config(root: string, extra: Record<string, unknown> = {}): Experiment {
  const text = JSON.stringify({ dataset: { format: "folder", train: path.basename(root) }, imageSize: 12, ...extra });
  const { config, issues } = parseExperiment(text, path.join(path.dirname(root), "x.ssl.json"));
  assert.ok(config, JSON.stringify(issues));
  return config;
}

const image = (pixels: Uint8Array, i: number, per: number) => Array.from(pixels.subarray(i * per, (i + 1) * per));

test("an image folder: the shown images decoded at training's indices, the others never", async () => {
  const root = path.join(tmp, "good");
  await makeFolder(root);
  const cfg = config(root, { limit: { train: 25 } });
  const training = (await loadDataset(cfg, tmp)).train;
  const cache = new PreviewData();
  const { data, indices } = await cache.pick(cfg, tmp, 9, 6);
  assert.deepEqual(indices, previewIndices(9, 25, 6));
  assert.deepEqual([data.count, data.height, data.width, data.channels], [training.count, 12, 12, 3]);
  assert.deepEqual(data.labels, training.labels);
  assert.deepEqual(data.classNames, training.classNames);
  const per = 12 * 12 * 3;
  for (const i of indices) assert.deepEqual(image(data.pixels, i, per), image(training.pixels, i, per), `image ${i}`);
  const unshown = [...Array(25).keys()].filter((i) => !indices.includes(i));
  for (const i of unshown) assert.ok(image(data.pixels, i, per).every((v) => v === 0), `image ${i} was not decoded`);

  // Another seed fills in more images of the same cached dataset; a changed imageSize reloads.
  const more = await cache.pick(cfg, tmp, 10, 6);
  assert.equal(more.data, data);
  for (const i of more.indices) assert.deepEqual(image(data.pixels, i, per), image(training.pixels, i, per));
  const bigger = await cache.pick({ ...cfg, imageSize: 14 }, tmp, 9, 6);
  assert.equal(bigger.data.height, 14);
});

test("an unreadable image among the shown ones: the folder loads as training loads it", async () => {
  const root = path.join(tmp, "corrupt");
  await makeFolder(root);
  fs.writeFileSync(path.join(root, "a", "img03.png"), "not a png");
  const cfg = config(root);
  const training = (await loadDataset(cfg, tmp)).train;
  assert.equal(training.count, 29);
  // Every image shown: the corrupt one is among them.
  const { data, indices } = await new PreviewData().pick(cfg, tmp, 1, 30);
  assert.equal(data.count, 29);
  assert.deepEqual(indices, [...Array(29).keys()]);
  assert.deepEqual(data.pixels, training.pixels);
  assert.deepEqual(data.labels, training.labels);
});

test("a missing folder fails, and the failure is not cached", async () => {
  const root = path.join(tmp, "later");
  const cfg = { ...config(path.join(tmp, "good")), dataset: { format: "folder", train: "later" } } as Experiment;
  const cache = new PreviewData();
  await assert.rejects(cache.pick(cfg, tmp, 0, 4), /image folder does not exist/);
  await makeFolder(root);
  const { data } = await cache.pick(cfg, tmp, 0, 4);
  assert.equal(data.count, 30);
});

test("the embedded dataset loads whole", async () => {
  const text = JSON.stringify({ dataset: { format: "embedded", name: "fashion-mnist-5k" } });
  const { config: cfg } = parseExperiment(text, path.join(tmp, "e.ssl.json"));
  const { data, indices } = await new PreviewData().pick(cfg!, tmp, 0, 8);
  assert.equal(data.count, 5000);
  assert.deepEqual(indices, previewIndices(0, 5000, 8));
});
