// The SaliencyCut worker pool with a stand-in worker script: results come back
// through transferred buffers, an error or a crashed thread fails only its
// image, and close() cancels what is queued or running. The real worker
// (saliencyWorker.ts) is exercised by the CLI smoke test.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SaliencyParams } from "../../src/core/config/saliencySchema";
import type { RgbImage } from "../../src/core/saliency/types";
import { PoolClosedError, SaliencyWorkerPool } from "../../src/core/saliency/cache/workerPool";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-saliency-pool-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

const PARAMS: SaliencyParams = { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" };

// First byte 1: SaliencyCut "fails"; 2: the thread dies of an uncaught error; 3: never answers.
// Otherwise the mask is the pixels with red > threshold, all one region, and the thread id is reported in regionCount.
const WORKER = path.join(tmp, "fakeWorker.js");
fs.writeFileSync(
  WORKER,
  `const { parentPort, threadId } = require("node:worker_threads");
parentPort.on("message", ({ image, params }) => {
  if (image.data[0] === 1) return parentPort.postMessage({ ok: false, error: "no salient object" });
  if (image.data[0] === 2) throw new Error("out of memory");
  if (image.data[0] === 3) return;
  const n = image.width * image.height;
  const mask = new Uint8Array(n);
  const regions = new Uint16Array(n);
  for (let p = 0; p < n; p++) regions[p] = mask[p] = image.data[3 * p] > params.threshold ? 1 : 0;
  parentPort.postMessage({ ok: true, entry: { width: image.width, height: image.height, mask, regions, regionCount: threadId } }, [mask.buffer, regions.buffer]);
});
`,
);

function image(first: number, w = 4, h = 2): RgbImage {
  const data = new Uint8Array(w * h * 3).map((_, i) => (i * 37) & 0xff);
  data[0] = first;
  return { width: w, height: h, data };
}

test("the pool computes in parallel threads, transferring pixels in and results out", async () => {
  const pool = new SaliencyWorkerPool(2, WORKER);
  try {
    const inputs = Array.from({ length: 6 }, (_, i) => image(100 + 20 * i));
    const expected = inputs.map((im) => Uint8Array.from({ length: 8 }, (_, p) => (im.data[3 * p]! > 70 ? 1 : 0)));
    const results = await Promise.all(inputs.map((im) => pool.compute(im, PARAMS)));
    assert.ok(inputs.every((im) => im.data.byteLength === 0), "the pixels were transferred, not copied");
    results.forEach((r, i) => {
      assert.deepEqual(r.mask, expected[i]);
      assert.deepEqual(Array.from(r.regions), Array.from(expected[i]!));
    });
    assert.equal(new Set(results.map((r) => r.regionCount)).size, 2, "both threads took images");
  } finally {
    await pool.close();
  }
});

test("an error or a crashed thread fails only its image; the pool goes on with a new thread", async () => {
  const pool = new SaliencyWorkerPool(1, WORKER);
  try {
    const outcomes = await Promise.allSettled([pool.compute(image(1), PARAMS), pool.compute(image(2), PARAMS), pool.compute(image(200), PARAMS)]);
    assert.equal(outcomes[0]!.status, "rejected");
    assert.match(String((outcomes[0] as PromiseRejectedResult).reason), /no salient object/);
    assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /worker thread crashed: out of memory/);
    assert.equal(outcomes[2]!.status, "fulfilled");
  } finally {
    await pool.close();
  }
});

test("close() rejects the running and the queued image with PoolClosedError, and later calls too", async () => {
  const pool = new SaliencyWorkerPool(1, WORKER);
  const cancelled = Promise.all([assert.rejects(pool.compute(image(3), PARAMS), PoolClosedError), assert.rejects(pool.compute(image(200), PARAMS), PoolClosedError)]);
  await new Promise((r) => setTimeout(r, 100));
  await pool.close();
  await cancelled;
  await assert.rejects(pool.compute(image(200), PARAMS), PoolClosedError);
});
