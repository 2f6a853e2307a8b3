import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CIFAR10_CLASSES, loadCifar10 } from "../../src/core/data/cifar10";
import { loadDataset } from "../../src/core/data/load";
import type { Experiment } from "../../src/core/config/schema";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-cifar-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Known pixel values: R = (y*32+x + id) % 256, G = (y + 3*id) % 256, B = (x*7 + id) % 256. */
const R = (id: number, y: number, x: number) => (y * 32 + x + id) % 256;
const G = (id: number, y: number) => (y + 3 * id) % 256;
const B = (id: number, x: number) => (x * 7 + id) % 256;

/** One CIFAR-10 binary record: label byte, then the R, G and B planes (CHW). */
function record(id: number, label: number): Buffer {
  const rec = Buffer.alloc(3073);
  rec[0] = label;
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      rec[1 + y * 32 + x] = R(id, y, x);
      rec[1 + 1024 + y * 32 + x] = G(id, y);
      rec[1 + 2048 + y * 32 + x] = B(id, x);
    }
  }
  return rec;
}

/** A CIFAR-10 folder: 5 train batches of 2 records (ids 0..9), a test batch of 3 (ids 100..102). */
function makeCifar(dir: string, options: { meta?: string } = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let b = 0; b < 5; b++) {
    const ids = [2 * b, 2 * b + 1];
    fs.writeFileSync(path.join(dir, `data_batch_${b + 1}.bin`), Buffer.concat(ids.map((id) => record(id, id % 10))));
  }
  fs.writeFileSync(path.join(dir, "test_batch.bin"), Buffer.concat([100, 101, 102].map((id) => record(id, id % 10))));
  if (options.meta !== undefined) fs.writeFileSync(path.join(dir, "batches.meta.txt"), options.meta);
}

test("CIFAR-10 batches load in order with CHW planes converted to HWC", async () => {
  const dir = path.join(tmp, "plain");
  makeCifar(dir);
  const { train, test: testSplit, skipped } = await loadCifar10(dir);
  assert.equal(train.count, 10);
  assert.equal(train.height, 32);
  assert.equal(train.width, 32);
  assert.equal(train.channels, 3);
  assert.equal(train.pixels.length, 10 * 32 * 32 * 3);
  assert.deepEqual(Array.from(train.labels!), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(train.classNames, CIFAR10_CLASSES);
  assert.equal(testSplit!.count, 3);
  assert.deepEqual(Array.from(testSplit!.labels!), [0, 1, 2]);
  assert.deepEqual(skipped, []);

  const check = (pixels: Uint8Array, n: number, id: number) => {
    for (const [y, x] of [[0, 0], [0, 1], [1, 0], [5, 17], [31, 31]] as const) {
      const at = ((n * 32 + y) * 32 + x) * 3;
      assert.deepEqual(Array.from(pixels.subarray(at, at + 3)), [R(id, y, x), G(id, y), B(id, x)], `image ${id} at (${y},${x})`);
    }
  };
  for (let n = 0; n < 10; n++) check(train.pixels, n, n);
  for (let n = 0; n < 3; n++) check(testSplit!.pixels, n, 100 + n);
  // Spelled out: image 0, pixel (0,1) is R=1, G=0, B=7; pixel (1,0) is R=32, G=1, B=0.
  assert.deepEqual(Array.from(train.pixels.subarray(3, 6)), [1, 0, 7]);
  assert.deepEqual(Array.from(train.pixels.subarray(32 * 3, 32 * 3 + 3)), [32, 1, 0]);
});

test("class names come from batches.meta.txt when present", async () => {
  const dir = path.join(tmp, "meta");
  const names = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"];
  makeCifar(dir, { meta: names.join("\n") + "\n\n" });
  const { train, test: testSplit } = await loadCifar10(dir);
  assert.deepEqual(train.classNames, names);
  assert.deepEqual(testSplit!.classNames, names);
});

test("the cifar-10-batches-bin folder inside dir is found", async () => {
  const dir = path.join(tmp, "nested");
  makeCifar(path.join(dir, "cifar-10-batches-bin"));
  const { train } = await loadCifar10(dir);
  assert.equal(train.count, 10);
});

test("a missing batch is an error naming the file", async () => {
  const dir = path.join(tmp, "missing");
  makeCifar(dir);
  const file = path.join(dir, "data_batch_4.bin");
  fs.rmSync(file);
  await assert.rejects(loadCifar10(dir), (e: Error) => e.message.includes(file) && /missing/.test(e.message));
});

test("a truncated batch is an error naming the file", async () => {
  const dir = path.join(tmp, "truncated");
  makeCifar(dir);
  const file = path.join(dir, "test_batch.bin");
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 3073 * 2 + 100));
  await assert.rejects(loadCifar10(dir), (e: Error) => e.message.includes(file) && /truncated/.test(e.message));
  fs.writeFileSync(file, Buffer.alloc(0));
  await assert.rejects(loadCifar10(dir), (e: Error) => e.message.includes(file));
});

test("an out-of-range label is an error naming the file and record", async () => {
  const dir = path.join(tmp, "badlabel");
  makeCifar(dir);
  const file = path.join(dir, "data_batch_2.bin");
  const bytes = fs.readFileSync(file);
  bytes[3073] = 10;
  fs.writeFileSync(file, bytes);
  await assert.rejects(loadCifar10(dir), (e: Error) => e.message.includes(file) && /record 1 has label 10/.test(e.message));
});

test("a missing folder is an error naming it", async () => {
  const dir = path.join(tmp, "nope");
  await assert.rejects(loadCifar10(dir), (e: Error) => e.message.includes(dir));
});

test("loadDataset(cifar10) resolves dir against the experiment folder and applies the limits", async () => {
  makeCifar(path.join(tmp, "exp", "cifar"));
  const config = { dataset: { format: "cifar10", dir: "cifar" }, imageSize: 16, limit: { train: 4, test: 1 } } as unknown as Experiment;
  const data = await loadDataset(config, path.join(tmp, "exp"));
  assert.equal(data.train.count, 4);
  assert.equal(data.train.pixels.length, 4 * 3072);
  assert.equal(data.train.height, 32); // not resized to imageSize
  assert.deepEqual(Array.from(data.train.labels!), [0, 1, 2, 3]);
  assert.equal(data.test!.count, 1);
  assert.deepEqual(Array.from(data.test!.pixels.subarray(0, 3)), [R(100, 0, 0), G(100, 0), B(100, 0)]);
});
