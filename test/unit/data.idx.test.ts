import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { loadIdxImages, readIdxFile } from "../../src/core/data/idx";
import { loadDataset } from "../../src/core/data/load";
import type { Experiment } from "../../src/core/config/schema";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-idx-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** IDX bytes written by hand: 00 00 <dtype> <ndims>, big-endian uint32 sizes, data. */
function idxBytes(shape: number[], data: number[], dtype = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header[2] = dtype;
  header[3] = shape.length;
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  return file;
}

// 3 images of 2x4; pixel value = 10*image + position.
const N = 3, H = 2, W = 4;
const pixels = Array.from({ length: N * H * W }, (_, i) => 10 * Math.floor(i / (H * W)) + (i % (H * W)));
const labels = [2, 0, 1];
const imagesRaw = idxBytes([N, H, W], pixels);
const labelsRaw = idxBytes([N], labels);

test("raw and gzipped IDX files load to the same images and labels", async () => {
  const raw = await loadIdxImages(write("raw-images", imagesRaw), write("raw-labels", labelsRaw));
  const gz = await loadIdxImages(
    write("gz-images.gz", zlib.gzipSync(imagesRaw)),
    write("gz-labels.gz", zlib.gzipSync(labelsRaw)),
  );
  for (const ds of [raw, gz]) {
    assert.equal(ds.count, 3);
    assert.equal(ds.height, 2);
    assert.equal(ds.width, 4);
    assert.equal(ds.channels, 1);
    assert.deepEqual(Array.from(ds.pixels), pixels);
    assert.deepEqual(Array.from(ds.labels!), labels);
    assert.deepEqual(ds.classNames, ["0", "1", "2"]);
  }
  // Image 1, row 1, column 2 = 10*1 + 1*4 + 2.
  assert.equal(raw.pixels[1 * H * W + 1 * W + 2], 16);
});

test("gzip is detected from the magic bytes, not the file name", async () => {
  const gzNoExt = await readIdxFile(write("images-without-extension", zlib.gzipSync(imagesRaw)));
  const rawWithGzName = await readIdxFile(write("raw-named.gz", imagesRaw));
  assert.deepEqual(gzNoExt.shape, [N, H, W]);
  assert.deepEqual(rawWithGzName.shape, [N, H, W]);
  assert.deepEqual(Array.from(gzNoExt.data), pixels);
});

test("images without a label file are unlabelled; given class names are used", async () => {
  const ds = await loadIdxImages(write("nolabels", imagesRaw));
  assert.equal(ds.labels, undefined);
  assert.equal(ds.classNames, undefined);
  const named = await loadIdxImages(write("i2", imagesRaw), write("l2", labelsRaw), ["a", "b", "c", "d"]);
  assert.deepEqual(named.classNames, ["a", "b", "c", "d"]);
});

test("a truncated IDX file is an error naming the file", async () => {
  const file = write("truncated-images", imagesRaw.subarray(0, imagesRaw.length - 5));
  await assert.rejects(readIdxFile(file), (e: Error) => e.message.includes(file) && /truncated/.test(e.message));
  const header = write("truncated-header", imagesRaw.subarray(0, 9));
  await assert.rejects(readIdxFile(header), (e: Error) => e.message.includes(header) && /truncated/.test(e.message));
});

test("a truncated gzip stream is an error naming the file", async () => {
  const gz = zlib.gzipSync(imagesRaw);
  const file = write("truncated.gz", gz.subarray(0, Math.floor(gz.length / 2)));
  await assert.rejects(readIdxFile(file), (e: Error) => e.message.includes(file) && /gzip/.test(e.message));
});

test("a wrong magic number is an error naming the file", async () => {
  const bad = Buffer.from(imagesRaw);
  bad[0] = 0x50; // e.g. a PNG or text file
  const file = write("bad-magic", bad);
  await assert.rejects(readIdxFile(file), (e: Error) => e.message.includes(file) && /magic/.test(e.message));
});

test("a non-uint8 dtype is rejected", async () => {
  const file = write("float-images", idxBytes([1, 1, 1], [0, 0, 0, 0], 0x0d));
  await assert.rejects(readIdxFile(file), (e: Error) => e.message.includes(file) && /float32/.test(e.message));
});

test("trailing bytes after the data are rejected", async () => {
  const file = write("trailing", Buffer.concat([imagesRaw, Buffer.from([1, 2])]));
  await assert.rejects(readIdxFile(file), (e: Error) => e.message.includes(file) && /unexpected bytes/.test(e.message));
});

test("a label count different from the image count is an error naming both", async () => {
  const images = write("count-images", imagesRaw);
  const labelsFile = write("count-labels", idxBytes([2], [0, 1]));
  await assert.rejects(
    loadIdxImages(images, labelsFile),
    (e: Error) => e.message.includes(labelsFile) && /label count 2 != image count 3/.test(e.message),
  );
});

test("a label file passed as images (wrong rank) is rejected", async () => {
  const file = write("rank1", labelsRaw);
  await assert.rejects(loadIdxImages(file), (e: Error) => e.message.includes(file) && /\[N, H, W\]/.test(e.message));
});

test("a missing file is an error naming it", async () => {
  const file = path.join(tmp, "does-not-exist.gz");
  await assert.rejects(readIdxFile(file), (e: Error) => e.message.includes(file) && /ENOENT/.test(e.message));
});

test("loadDataset(idx) resolves paths against the experiment folder and applies the limit", async () => {
  const dir = path.join(tmp, "exp");
  fs.mkdirSync(path.join(dir, "data"), { recursive: true });
  fs.writeFileSync(path.join(dir, "data", "ti.gz"), zlib.gzipSync(imagesRaw));
  fs.writeFileSync(path.join(dir, "data", "tl.gz"), zlib.gzipSync(labelsRaw));
  fs.writeFileSync(path.join(dir, "data", "vi"), idxBytes([2, H, W], pixels.slice(0, 2 * H * W)));
  fs.writeFileSync(path.join(dir, "data", "vl"), idxBytes([2], [3, 1]));
  const config = {
    dataset: { format: "idx", trainImages: "data/ti.gz", trainLabels: "data/tl.gz", testImages: "data/vi", testLabels: "data/vl" },
    imageSize: 32,
    limit: { train: 2 },
  } as unknown as Experiment;
  const data = await loadDataset(config, dir);
  assert.equal(data.train.count, 2);
  assert.equal(data.train.pixels.length, 2 * H * W);
  assert.deepEqual(Array.from(data.train.pixels), pixels.slice(0, 2 * H * W));
  assert.deepEqual(Array.from(data.train.labels!), [2, 0]);
  assert.equal(data.train.height, H); // IDX data is not resized to imageSize
  assert.equal(data.test!.count, 2);
  assert.deepEqual(data.train.classNames, ["0", "1", "2", "3"]); // union of both splits' labels
  assert.deepEqual(data.test!.classNames, data.train.classNames);
  assert.deepEqual(data.skipped, []);
  // A test split without labels is refused by the config check (test/unit/config.test.ts).
});
