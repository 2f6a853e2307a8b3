import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sharp from "sharp";
import { loadImageFolder } from "../../src/core/data/imageFolder";
import { loadDataset } from "../../src/core/data/load";
import type { Experiment } from "../../src/core/config/schema";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-folder-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

type RGB = [number, number, number];

async function solid(file: string, rgb: RGB, format: "png" | "jpeg", w = 40, h = 30): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const img = sharp({ create: { width: w, height: h, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  await (format === "png" ? img.png() : img.jpeg({ quality: 95 })).toFile(file);
}

/** A noisy JPEG (so it is large), then cut in half: a truncated JPEG. */
async function truncatedJpeg(file: string): Promise<void> {
  const w = 64, h = 64;
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const jpeg = await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  fs.writeFileSync(file, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
}

const RED: RGB = [255, 0, 0];
const GREEN: RGB = [0, 200, 0];
const BLUE: RGB = [0, 0, 255];

/** Labelled folder: cat (3 good), dog (2 good + nested), bird (1 good); corrupt.png and truncated.jpg in cat; a README. */
async function makeLabelled(root: string): Promise<{ corrupt: string; truncated: string }> {
  await solid(path.join(root, "cat", "c1.png"), RED, "png");
  await solid(path.join(root, "cat", "c2.jpg"), RED, "jpeg");
  await solid(path.join(root, "cat", "c3.PNG"), RED, "png");
  await solid(path.join(root, "dog", "d1.jpeg"), GREEN, "jpeg");
  await solid(path.join(root, "dog", "sub", "d2.png"), GREEN, "png");
  await solid(path.join(root, "bird", "b1.png"), BLUE, "png");
  const corrupt = path.join(root, "cat", "corrupt.png");
  fs.writeFileSync(corrupt, Buffer.from("this is not a png at all, just garbage bytes \x00\x01\x02"));
  const truncated = path.join(root, "cat", "truncated.jpg");
  await truncatedJpeg(truncated);
  fs.writeFileSync(path.join(root, "README.txt"), "not an image");
  fs.writeFileSync(path.join(root, "cat", ".hidden.png"), "hidden, ignored");
  return { corrupt, truncated };
}

function pixel(pixels: Uint8Array, n: number, size: number, channels: number, y: number, x: number): number[] {
  const at = ((n * size + y) * size + x) * channels;
  return Array.from(pixels.subarray(at, at + channels));
}

function near(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= tol, `${what}: got [${actual}], expected [${expected}]`));
}

test("a labelled folder: classes from sub-folders, corrupt and truncated images skipped and named", async () => {
  const root = path.join(tmp, "labelled");
  const { corrupt, truncated } = await makeLabelled(root);
  const { dataset, skipped } = await loadImageFolder(root, { size: 16 });
  assert.deepEqual(dataset.classNames, ["bird", "cat", "dog"]);
  assert.equal(dataset.count, 6);
  assert.equal(dataset.height, 16);
  assert.equal(dataset.width, 16);
  assert.equal(dataset.channels, 3);
  assert.equal(dataset.pixels.length, 6 * 16 * 16 * 3);
  // Round-robin over classes, files sorted within a class: b1, c1, d1, c2, d2 (dog/sub), c3.
  assert.deepEqual(Array.from(dataset.labels!), [0, 1, 2, 1, 2, 1]);
  const colours = [BLUE, RED, GREEN, RED, GREEN, RED];
  colours.forEach((c, n) => near(pixel(dataset.pixels, n, 16, 3, 8, 8), c, 3, `image ${n}`));
  assert.deepEqual(
    skipped.map((s) => s.file).sort(),
    [corrupt, truncated].sort(),
  );
  for (const s of skipped) assert.ok(s.reason.length > 0, `a reason for ${s.file}`);
});

test("grayscale decoding gives one channel with ITU-R 601 luma", async () => {
  const root = path.join(tmp, "labelled");
  const { dataset } = await loadImageFolder(root, { size: 8, channels: 1 });
  assert.equal(dataset.channels, 1);
  assert.equal(dataset.pixels.length, 6 * 8 * 8);
  near(pixel(dataset.pixels, 0, 8, 1, 4, 4), [29], 2, "blue"); // 0.114 * 255
  near(pixel(dataset.pixels, 1, 8, 1, 4, 4), [76], 2, "red"); // 0.299 * 255
});

test("resizing is fit 'cover': the centre is cropped out of a wide image", async () => {
  const root = path.join(tmp, "crop");
  fs.mkdirSync(root, { recursive: true });
  // 90x30: red | green | blue thirds. Cover to 10x10 scales to 30x10 and keeps the middle third.
  const w = 90, h = 30;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(x < 30 ? RED : x < 60 ? GREEN : BLUE, (y * w + x) * 3);
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path.join(root, "stripes.png"));
  const { dataset } = await loadImageFolder(root, { size: 10 });
  assert.equal(dataset.count, 1);
  for (const x of [2, 5, 7]) near(pixel(dataset.pixels, 0, 10, 3, 5, x), GREEN, 12, `column ${x}`);
});

test("RGBA and grayscale sources decode to RGB", async () => {
  const root = path.join(tmp, "modes");
  fs.mkdirSync(root, { recursive: true });
  await sharp({ create: { width: 20, height: 20, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } })
    .png()
    .toFile(path.join(root, "rgba.png"));
  await sharp(Buffer.alloc(20 * 20, 123), { raw: { width: 20, height: 20, channels: 1 } })
    .png()
    .toFile(path.join(root, "gray.png"));
  const { dataset, skipped } = await loadImageFolder(root, { size: 4 });
  assert.deepEqual(skipped, []);
  assert.equal(dataset.count, 2);
  near(pixel(dataset.pixels, 0, 4, 3, 1, 1), [123, 123, 123], 1, "gray.png");
  near(pixel(dataset.pixels, 1, 4, 3, 1, 1), [10, 20, 30], 1, "rgba.png (alpha dropped)");
});

test("a flat folder is unlabelled", async () => {
  const root = path.join(tmp, "flat");
  await solid(path.join(root, "b.png"), BLUE, "png");
  await solid(path.join(root, "a.jpg"), RED, "jpeg");
  const { dataset, skipped } = await loadImageFolder(root, { size: 8 });
  assert.equal(dataset.count, 2);
  assert.equal(dataset.labels, undefined);
  assert.equal(dataset.classNames, undefined);
  assert.deepEqual(skipped, []);
  near(pixel(dataset.pixels, 0, 8, 3, 4, 4), RED, 3, "a.jpg first");
});

test("images at the top of a labelled folder are skipped with a reason", async () => {
  const root = path.join(tmp, "mixed");
  await solid(path.join(root, "x", "1.png"), RED, "png");
  await solid(path.join(root, "top.png"), BLUE, "png");
  const { dataset, skipped } = await loadImageFolder(root, { size: 8 });
  assert.equal(dataset.count, 1);
  assert.deepEqual(dataset.classNames, ["x"]);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.file, path.join(root, "top.png"));
  assert.match(skipped[0]!.reason, /class sub-folder/);
});

test("given class names map labels; unknown classes are skipped", async () => {
  const root = path.join(tmp, "testsplit");
  await solid(path.join(root, "dog", "1.png"), GREEN, "png");
  await solid(path.join(root, "cat", "1.png"), RED, "png");
  await solid(path.join(root, "zebra", "1.png"), BLUE, "png");
  const { dataset, skipped } = await loadImageFolder(root, { size: 8, classNames: ["bird", "cat", "dog"] });
  assert.deepEqual(dataset.classNames, ["bird", "cat", "dog"]);
  assert.deepEqual(Array.from(dataset.labels!), [1, 2]);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.reason, /zebra/);
});

test("limit keeps the first N readable images, class-balanced", async () => {
  const root = path.join(tmp, "labelled");
  const { dataset } = await loadImageFolder(root, { size: 8, limit: 4, concurrency: 2 });
  assert.equal(dataset.count, 4);
  assert.deepEqual(Array.from(dataset.labels!), [0, 1, 2, 1]);
});

test("with a limit, unreadable images before the last one taken are skipped and reported, later ones are not reported", async () => {
  const root = path.join(tmp, "limitskip");
  await solid(path.join(root, "a.png"), RED, "png");
  fs.writeFileSync(path.join(root, "b.png"), "garbage");
  await solid(path.join(root, "c.png"), GREEN, "png");
  await solid(path.join(root, "d.png"), BLUE, "png");
  fs.writeFileSync(path.join(root, "e.png"), "garbage");
  for (const concurrency of [1, 3]) {
    const { dataset, skipped } = await loadImageFolder(root, { size: 8, limit: 2, concurrency });
    assert.equal(dataset.count, 2);
    near(pixel(dataset.pixels, 1, 8, 3, 4, 4), GREEN, 3, "second image is c.png");
    assert.deepEqual(skipped.map((s) => path.basename(s.file)), ["b.png"]);
  }
});

test("a missing folder is an error naming it", async () => {
  const root = path.join(tmp, "does-not-exist");
  await assert.rejects(loadImageFolder(root, { size: 8 }), (e: Error) => e.message.includes(root) && /does not exist/.test(e.message));
});

test("a folder with no readable image is an error naming it", async () => {
  const root = path.join(tmp, "allbad");
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, "bad.png"), "garbage");
  await assert.rejects(loadImageFolder(root, { size: 8 }), (e: Error) => e.message.includes(root) && /bad\.png/.test(e.message));
  const empty = path.join(tmp, "empty");
  fs.mkdirSync(empty);
  fs.writeFileSync(path.join(empty, "notes.txt"), "x");
  await assert.rejects(loadImageFolder(empty, { size: 8 }), (e: Error) => e.message.includes(empty) && /no readable image/.test(e.message));
});

test("loadDataset(folder): imageSize, channels, test split labelled with the train classes, skipped files reported", async () => {
  const exp = path.join(tmp, "exp");
  const { corrupt, truncated } = await makeLabelled(path.join(exp, "train"));
  await solid(path.join(exp, "test", "dog", "t.png"), GREEN, "png");
  await solid(path.join(exp, "test", "bird", "t.png"), BLUE, "png");
  const config = {
    dataset: { format: "folder", train: "train", test: "test", channels: 1 },
    imageSize: 12,
    limit: { test: 1 },
  } as unknown as Experiment;
  const progress: string[] = [];
  const data = await loadDataset(config, exp, { onProgress: (split, done, total) => progress.push(`${split}:${done}/${total}`) });
  assert.equal(data.train.count, 6);
  assert.equal(data.train.height, 12);
  assert.equal(data.train.channels, 1);
  assert.equal(data.test!.count, 1);
  assert.deepEqual(data.test!.classNames, ["bird", "cat", "dog"]);
  assert.deepEqual(Array.from(data.test!.labels!), [0]);
  assert.deepEqual(data.skipped.map((s) => s.file).sort(), [corrupt, truncated].sort());
  assert.ok(progress.includes("train:8/8"), progress.join(" "));
  assert.ok(progress.some((p) => p.startsWith("test:")), progress.join(" "));

  const unlabelledTest = { ...config, dataset: { format: "folder", train: "train", test: "train/cat" } } as unknown as Experiment;
  await assert.rejects(loadDataset(unlabelledTest, exp), /class sub-folders/);
});
