import { test } from "node:test";
import * as assert from "node:assert/strict";
import { srgbToLab } from "../../src/core/color/lab";
import { SEGMENT_DEFAULTS, segmentGraph, type Segmentation } from "../../src/core/saliency/segmentGraph";
import type { LabImage } from "../../src/core/saliency/types";

type Rgb = [number, number, number];
const RED: Rgb = [0.9, 0.1, 0.1];
const GREEN: Rgb = [0.1, 0.8, 0.2];
const BLUE: Rgb = [0.1, 0.2, 0.9];

/** A Lab image from sRGB in [0, 1] per pixel, plus uniform Lab noise of +-noise per channel. */
function labImage(width: number, height: number, colourAt: (x: number, y: number) => Rgb, noise = 0, seed = 1): LabImage {
  let state = seed;
  const random = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const lab = srgbToLab(...colourAt(x, y));
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = lab[c]! + noise * (2 * random() - 1);
    }
  }
  return { width, height, data };
}

/** A Lab image from rows of L values (a = b = 0). */
function lightness(rows: number[][]): LabImage {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Float32Array(width * height * 3);
  rows.flat().forEach((l, p) => (data[p * 3] = l));
  return { width, height, data };
}

/** Labels as rows, for readable expectations. */
const grid = (s: Segmentation) => Array.from({ length: s.height }, (_, y) => [...s.labels.subarray(y * s.width, (y + 1) * s.width)]);

test("two flat colour halves are two regions split at the boundary", () => {
  const halves = segmentGraph(labImage(40, 30, (x) => (x < 20 ? RED : BLUE)));
  assert.equal(halves.count, 2);
  assert.deepEqual(grid(halves), Array.from({ length: 30 }, () => Array.from({ length: 40 }, (_, x) => (x < 20 ? 0 : 1))));

  const stacked = segmentGraph(labImage(30, 40, (_, y) => (y < 13 ? GREEN : RED)), { sigma: 0, minSize: 0 });
  assert.equal(stacked.count, 2);
  assert.deepEqual(grid(stacked), Array.from({ length: 40 }, (_, y) => Array.from({ length: 30 }, () => (y < 13 ? 0 : 1))));
});

test("three noisy colour blocks are three regions, one per block", () => {
  const blockOf = (x: number) => Math.floor(x / 20);
  const image = labImage(60, 40, (x) => [RED, GREEN, BLUE][blockOf(x)]!, 6);
  const s = segmentGraph(image);
  assert.equal(s.count, 3);
  assert.deepEqual(grid(s), Array.from({ length: 40 }, () => Array.from({ length: 60 }, (_, x) => blockOf(x))));
  // The noise alone, without the default minSize, splits the blocks into fragments.
  assert.ok(segmentGraph(image, { minSize: 0, k: 5 }).count > 3);
});

test("components merge when the edge is <= Int(C) + k/|C| on both sides", () => {
  // Edges 10 then 20. Singletons have threshold k; after the first merge, 10 + k/2.
  const line = lightness([[0, 10, 30]]);
  const count = (k: number) => segmentGraph(line, { sigma: 0, k, minSize: 0 }).count;
  assert.equal(count(9), 3); // 10 > 9
  assert.equal(count(15), 2); // 10 <= 15, then 20 > 10 + 7.5
  assert.equal(count(19.9), 2); // 20 > 10 + 9.95
  assert.equal(count(20), 1); // 20 <= 10 + 10 and 20 <= 20: ties merge
  assert.equal(count(25), 1);
});

test("minSize merges a small component into the neighbour it differs from least", () => {
  // Columns 0-13 black, a two-column band, columns 16-29 white; k small enough that nothing merges across.
  const banded = (bandL: number) => lightness(Array.from({ length: 10 }, () => Array.from({ length: 30 }, (_, x) => (x < 14 ? 0 : x < 16 ? bandL : 100))));
  const options = { sigma: 0, k: 1 };
  assert.equal(segmentGraph(banded(40), { ...options, minSize: 0 }).count, 3);
  // The band has 20 pixels: it stays at minSize 20, and below minSize 21 or 50 it joins the side nearer in colour.
  assert.equal(segmentGraph(banded(40), { ...options, minSize: 20 }).count, 3);
  assert.equal(segmentGraph(banded(40), { ...options, minSize: 21 }).count, 2);
  const left = segmentGraph(banded(40), { ...options, minSize: 50 });
  assert.equal(left.count, 2);
  assert.deepEqual(grid(left)[0], Array.from({ length: 30 }, (_, x) => (x < 16 ? 0 : 1)));
  const right = segmentGraph(banded(60), { ...options, minSize: 50 });
  assert.equal(right.count, 2);
  assert.deepEqual(grid(right)[0], Array.from({ length: 30 }, (_, x) => (x < 14 ? 0 : 1)));
  // A 9-pixel speck in a flat field vanishes under the default minSize.
  const speck = lightness(Array.from({ length: 40 }, (_, y) => Array.from({ length: 40 }, (_, x) => (Math.abs(x - 20) <= 1 && Math.abs(y - 20) <= 1 ? 0 : 100))));
  assert.equal(segmentGraph(speck, { sigma: 0, minSize: 0 }).count, 2);
  assert.equal(segmentGraph(speck, { sigma: 0 }).count, 1);
});

test("pixels connect to all eight neighbours", () => {
  // One-pixel diagonals hold together only through diagonal edges; the background, cut by them, joins across them.
  const options = { sigma: 0, k: 1, minSize: 0 };
  const falling = segmentGraph(lightness(Array.from({ length: 10 }, (_, y) => Array.from({ length: 10 }, (_, x) => (x === y ? 0 : 100)))), options);
  assert.equal(falling.count, 2);
  const rising = segmentGraph(lightness(Array.from({ length: 10 }, (_, y) => Array.from({ length: 10 }, (_, x) => (x + y === 9 ? 0 : 100)))), options);
  assert.equal(rising.count, 2);
});

test("labels are 0..count-1 in raster order of first appearance", () => {
  // Background first, then the top-right square (row 1), the centre one (row 5), the bottom-left one (row 9).
  const squares = lightness(
    Array.from({ length: 12 }, (_, y) =>
      Array.from({ length: 12 }, (_, x) => (y >= 9 && y < 11 && x >= 1 && x < 3 ? 20 : y >= 1 && y < 3 && x >= 9 && x < 11 ? 40 : y >= 5 && y < 7 && x >= 5 && x < 7 ? 60 : 90)),
    ),
  );
  const s = segmentGraph(squares, { sigma: 0, k: 1, minSize: 0 });
  assert.equal(s.count, 4);
  const expected = Array.from({ length: 12 }, (_, y) =>
    Array.from({ length: 12 }, (_, x) => (y >= 9 && y < 11 && x >= 1 && x < 3 ? 3 : y >= 1 && y < 3 && x >= 9 && x < 11 ? 1 : y >= 5 && y < 7 && x >= 5 && x < 7 ? 2 : 0)),
  );
  assert.deepEqual(grid(s), expected);

  // Many regions: each label is either seen before or the next new one, and all are used.
  const textured = segmentGraph(labImage(50, 40, (x, y) => [0.5 + 0.4 * Math.sin(x / 3), 0.5 + 0.4 * Math.cos(y / 4), 0.5], 10), { minSize: 5, k: 20 });
  assert.ok(textured.count > 10, `only ${textured.count} regions`);
  let next = 0;
  for (const label of textured.labels) {
    assert.ok(label >= 0 && label <= next, `label ${label} before ${next}`);
    if (label === next) next++;
  }
  assert.equal(next, textured.count);
});

test("a larger k gives fewer regions on a textured image", () => {
  const image = labImage(64, 64, (x, y) => [0.5 + 0.3 * Math.sin(x / 5 + y / 7), 0.5 + 0.3 * Math.sin(y / 3), 0.4], 12, 7);
  const counts = [5, 20, 100, 500].map((k) => segmentGraph(image, { k, minSize: 10 }).count);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! < counts[i - 1]!, `counts by k ${counts}`);
  assert.ok(counts[0]! > 40, `counts by k ${counts}`);
});

test("smoothing with sigma fades a one-pixel speck that sigma 0 keeps", () => {
  const speck = lightness(Array.from({ length: 15 }, (_, y) => Array.from({ length: 15 }, (_, x) => (x === 7 && y === 7 ? 30 : 0))));
  // Even with a large k: the flat field's threshold k/|C| is ~1.3, far below the speck's edges of 30.
  const options = { k: 300, minSize: 0 };
  assert.equal(segmentGraph(speck, { ...options, sigma: 0 }).count, 2);
  assert.equal(segmentGraph(speck, { ...options, sigma: 1 }).count, 1);
});

test("options default to Cheng et al.'s sigma 0.5, k 50, minSize 200", () => {
  assert.deepEqual(SEGMENT_DEFAULTS, { sigma: 0.5, k: 50, minSize: 200 });
  const image = labImage(40, 40, (x, y) => [x / 40, y / 40, 0.5], 15, 3);
  assert.deepEqual(segmentGraph(image, { k: 50 }), segmentGraph(image, { sigma: 0.5, k: 50, minSize: 200 }));
  assert.notDeepEqual(segmentGraph(image), segmentGraph(image, { minSize: 0 }));
});

test("bad input is refused", () => {
  assert.throws(() => segmentGraph({ width: 4, height: 3, data: new Float32Array(35) }), RangeError);
  assert.throws(() => segmentGraph(lightness([[0, 1]]), { k: -1 }), RangeError);
  assert.throws(() => segmentGraph(lightness([[0, 1]]), { sigma: NaN }), RangeError);
  assert.deepEqual(segmentGraph({ width: 0, height: 0, data: new Float32Array(0) }), { width: 0, height: 0, labels: new Int32Array(0), count: 0 });
});
