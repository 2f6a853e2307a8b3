// SimCLR views: parameter sampling (determinism, statistics) and the batched
// pixel ops (hand-computed cases, torchvision fixtures, wasm = cpu, no leaks).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { Rng } from "../../src/core/random";
import {
  JITTER_OPS,
  applyView,
  colorJitter,
  cropResizeFlip,
  opRng,
  randomGrayscale,
  sampleCrop,
  sampleViewPlan,
  sampleViewPlans,
  viewInstances,
  type ColorJitterParams,
  type DrawOf,
  type JitterOp,
  type ViewInstance,
  type ViewPlan,
} from "../../src/core/augment";
import { randomPixels, maxAbsDiff, assertClose } from "./pixels";

/** SimCLR's ops, with the probabilities and colour strength given (CIFAR defaults). */
function simclrView(o: { scale?: number[]; flipP?: number; jitterP?: number; s?: number; grayP?: number; view?: number } = {}): ViewInstance {
  const s = o.s ?? 0.5;
  const views = viewInstances({
    method: "simclr",
    imageSize: 32,
    augment: {
      views: [
        {
          name: "view",
          count: 2,
          ops: [
            { op: "randomResizedCrop", scale: o.scale ?? [0.08, 1] },
            { op: "hflip", p: o.flipP ?? 0.5 },
            { op: "colorJitter", p: o.jitterP ?? 0.8, brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: Math.min(0.5, 0.2 * s) },
            { op: "grayscale", p: o.grayP ?? 0.2 },
          ],
        },
      ] as never,
    },
  });
  return views[o.view ?? 0]!;
}
const SIMCLR = simclrView();
const crop = (p: ViewPlan) => p.draws[0] as DrawOf<"randomResizedCrop">;
const flip = (p: ViewPlan) => p.draws[1] !== null;
const jitter = (p: ViewPlan) => p.draws[2] as DrawOf<"colorJitter"> | null;
const grayscale = (p: ViewPlan) => p.draws[3] !== null;
const ctx = (seed: number, epoch: number, size: number) => ({ seed, epoch, epochs: 100, srcHeight: size, srcWidth: size });
const batch = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

async function cpu(): Promise<void> {
  await tf.setBackend("cpu");
}

/** Only one op active: identity factors everywhere else. */
function jitterOnly(op: JitterOp, factor: number): ColorJitterParams {
  return {
    order: [...JITTER_OPS],
    brightness: 1,
    contrast: 1,
    saturation: 1,
    hue: 0,
    [op]: factor,
  };
}

async function run(fn: () => tf.Tensor): Promise<Float32Array> {
  const t = fn();
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

// ---------------------------------------------------------------- crop/resize/flip

test("a full-image box at the source size returns the image (3 and 1 channels)", async () => {
  await cpu();
  for (const c of [3, 1]) {
    const px = randomPixels(6 * 5 * c, 1);
    const out = await run(() =>
      cropResizeFlip(tf.tensor4d(px, [1, 6, 5, c]), [{ top: 0, left: 0, height: 6, width: 5 }], [false], 6, 5),
    );
    assertClose(out, px, 1e-6, `identity crop, ${c} channels`);
  }
});

test("a half box at the half size returns exactly that half", async () => {
  await cpu();
  // 4x8 image, value = 10*row + col; left half, right half, bottom half.
  const img = Float32Array.from({ length: 32 }, (_, i) => (10 * Math.floor(i / 8) + (i % 8)) / 100);
  const x = tf.tensor4d(img, [1, 4, 8, 1]);
  const left = await run(() => cropResizeFlip(x, [{ top: 0, left: 0, height: 4, width: 4 }], [false], 4, 4));
  const right = await run(() => cropResizeFlip(x, [{ top: 0, left: 4, height: 4, width: 4 }], [false], 4, 4));
  const bottom = await run(() => cropResizeFlip(x, [{ top: 2, left: 0, height: 2, width: 8 }], [false], 2, 8));
  const want = (r0: number, c0: number, h: number, w: number) =>
    Float32Array.from({ length: h * w }, (_, i) => (10 * (r0 + Math.floor(i / w)) + c0 + (i % w)) / 100);
  assertClose(left, want(0, 0, 4, 4), 1e-6, "left half");
  assertClose(right, want(0, 4, 4, 4), 1e-6, "right half");
  assertClose(bottom, want(2, 0, 2, 8), 1e-6, "bottom half");
  x.dispose();
});

test("halving the size averages 2x2 blocks (half-pixel centres, as torchvision)", async () => {
  await cpu();
  const img = randomPixels(16, 2);
  const out = await run(() =>
    cropResizeFlip(tf.tensor4d(img, [1, 4, 4, 1]), [{ top: 0, left: 0, height: 4, width: 4 }], [false], 2),
  );
  const block = (r: number, c: number) =>
    (img[r * 8 + c * 2]! + img[r * 8 + c * 2 + 1]! + img[r * 8 + c * 2 + 4]! + img[r * 8 + c * 2 + 5]!) / 4;
  assertClose(out, [block(0, 0), block(0, 1), block(1, 0), block(1, 1)], 1e-6, "2x2 means");
});

test("upsampling a full image clamps at the border instead of reading zeros", async () => {
  await cpu();
  // Constant image: any bilinear resize must stay constant, including the edge pixels.
  const out = await run(() =>
    cropResizeFlip(tf.fill([1, 3, 3, 3], 0.7) as tf.Tensor4D, [{ top: 0, left: 0, height: 3, width: 3 }], [true], 8),
  );
  assertClose(out, new Float32Array(8 * 8 * 3).fill(0.7), 1e-6, "constant after upsampling");
  // Rows 0 and 1 -> 4 rows: torchvision samples rows -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  const ramp = await run(() =>
    cropResizeFlip(tf.tensor4d([0, 0, 1, 1], [1, 2, 2, 1]), [{ top: 0, left: 0, height: 2, width: 2 }], [false], 4),
  );
  assertClose(ramp, [0, 0, 0, 0, 0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75, 1, 1, 1, 1], 1e-6, "ramp");
});

test("the horizontal flip reverses the columns", async () => {
  await cpu();
  const H = 3;
  const W = 4;
  const C = 3;
  const px = randomPixels(H * W * C, 3);
  const flipped = new Float32Array(px.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) flipped[(y * W + x) * C + c] = px[(y * W + (W - 1 - x)) * C + c]!;
  const out = await run(() =>
    cropResizeFlip(tf.tensor4d(px, [1, H, W, C]), [{ top: 0, left: 0, height: H, width: W }], [true], H, W),
  );
  assertClose(out, flipped, 1e-6, "flipped");
  // Through applyView (square image, no crop op: the whole image at the view size).
  const sq = randomPixels(4 * 4 * 3, 4);
  const view = viewInstances({ imageSize: 4, method: "simclr", augment: { views: [{ name: "v", count: 1, ops: [{ op: "hflip", p: 1 }] }] as never } })[0]!;
  const viaViews = await run(() => applyView(tf.tensor4d(sq, [1, 4, 4, 3]), view, [sampleViewPlan(view, 0, ctx(0, 0, 4))]));
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++)
      for (let c = 0; c < 3; c++)
        assert.ok(Math.abs(viaViews[(y * 4 + x) * 3 + c]! - sq[(y * 4 + 3 - x) * 3 + c]!) < 1e-6, `pixel ${y},${x},${c}`);
});

// ---------------------------------------------------------------- colour ops

test("brightness 0.5 halves the pixels; brightness 2 clips at 1", async () => {
  await cpu();
  const px = randomPixels(2 * 2 * 3, 5);
  const half = await run(() => colorJitter(tf.tensor4d(px, [1, 2, 2, 3]), [jitterOnly("brightness", 0.5)]));
  assertClose(half, px.map((v) => v / 2), 1e-7, "halved");
  const twice = await run(() => colorJitter(tf.tensor4d(px, [1, 2, 2, 3]), [jitterOnly("brightness", 2)]));
  assertClose(twice, px.map((v) => Math.min(1, 2 * v)), 1e-7, "doubled and clipped");
  assert.ok(twice.some((v) => v === 1) && twice.every((v) => v <= 1));
});

test("grayscale of pure red is 0.299 in every channel; 1-channel images are left alone", async () => {
  await cpu();
  const red = await run(() => randomGrayscale(tf.tensor4d([1, 0, 0], [1, 1, 1, 3]), [true]));
  assertClose(red, [0.299, 0.299, 0.299], 1e-6, "gray of red");
  const green = await run(() => randomGrayscale(tf.tensor4d([0, 1, 0, 0, 0, 1], [2, 1, 1, 3]), [true, false]));
  assertClose(green, [0.587, 0.587, 0.587, 0, 0, 1], 1e-6, "per-sample mask");
  const mono = await run(() => randomGrayscale(tf.tensor4d([0.3, 0.6], [1, 1, 2, 1]), [true]));
  assertClose(mono, Float32Array.from([0.3, 0.6]), 0, "1 channel");
});

test("saturation 0 is the grayscale; contrast 0 is the mean gray; 1-channel saturation and hue do nothing", async () => {
  await cpu();
  const px = randomPixels(3 * 3 * 3, 6);
  const x = tf.tensor4d(px, [1, 3, 3, 3]);
  const gray = Array.from({ length: 9 }, (_, i) => 0.299 * px[3 * i]! + 0.587 * px[3 * i + 1]! + 0.114 * px[3 * i + 2]!);
  const sat0 = await run(() => colorJitter(x, [jitterOnly("saturation", 0)]));
  assertClose(sat0, gray.flatMap((g) => [g, g, g]), 1e-6, "saturation 0");
  const mean = gray.reduce((a, b) => a + b) / 9;
  const con0 = await run(() => colorJitter(x, [jitterOnly("contrast", 0)]));
  assertClose(con0, new Float32Array(27).fill(mean), 1e-6, "contrast 0");
  const con05 = await run(() => colorJitter(x, [jitterOnly("contrast", 0.5)]));
  assertClose(con05, px.map((v) => 0.5 * v + 0.5 * mean), 1e-6, "contrast 0.5");
  x.dispose();
  const mono = randomPixels(4, 7);
  const m = tf.tensor4d(mono, [1, 2, 2, 1]);
  assertClose(await run(() => colorJitter(m, [jitterOnly("saturation", 0)])), mono, 0, "1-ch saturation");
  assertClose(await run(() => colorJitter(m, [jitterOnly("hue", 0.25)])), mono, 0, "1-ch hue");
  const monoMean = mono.reduce((a, b) => a + b) / 4;
  assertClose(await run(() => colorJitter(m, [jitterOnly("contrast", 0)])), new Float32Array(4).fill(monoMean), 1e-6, "1-ch contrast");
  m.dispose();
});

test("hue: a third of a turn maps red to green to blue, gray stays gray, shift 0 is the identity", async () => {
  await cpu();
  const x = tf.tensor4d([1, 0, 0, 0, 1, 0, 0.2, 0.2, 0.2, 0.8, 0.4, 0.2], [1, 2, 2, 3]);
  const third = await run(() => colorJitter(x, [jitterOnly("hue", 1 / 3)]));
  // (0.8, 0.4, 0.2): hue 1/18 of a turn; +1/3 -> 7/18: R = min, G = max, B = 0.2 + 0.6 * (7/18*6 - 2) = 0.4.
  assertClose(third, [0, 1, 0, 0, 0, 1, 0.2, 0.2, 0.2, 0.2, 0.8, 0.4], 1e-6, "hue +1/3");
  const back = await run(() => colorJitter(x, [jitterOnly("hue", -1 / 3)]));
  assertClose(back, [0, 0, 1, 1, 0, 0, 0.2, 0.2, 0.2, 0.4, 0.2, 0.8], 1e-6, "hue -1/3");
  const none = await run(() => colorJitter(x, [jitterOnly("hue", 0)]));
  assertClose(none, await x.data(), 0, "hue 0");
  x.dispose();
});

test("each sample applies its own jitter order (batched result = one op at a time per sample)", async () => {
  await cpu();
  const B = 12;
  const px = randomPixels(B * 5 * 5 * 3, 8);
  const rng = new Rng(9);
  // Strong factors so that clipping makes the order matter.
  const jitters: (ColorJitterParams | null)[] = Array.from({ length: B }, (_, b) =>
    b % 5 === 4
      ? null
      : {
          order: Array.from(rng.permutation(4), (i) => JITTER_OPS[i]!),
          brightness: rng.uniform(0.2, 1.8),
          contrast: rng.uniform(0.2, 1.8),
          saturation: rng.uniform(0.2, 1.8),
          hue: rng.uniform(-0.4, 0.4),
        },
  );
  const batched = await run(() => colorJitter(tf.tensor4d(px, [B, 5, 5, 3]), jitters));
  const n = 5 * 5 * 3;
  for (let b = 0; b < B; b++) {
    const j = jitters[b];
    let img = tf.tensor4d(px.slice(b * n, (b + 1) * n), [1, 5, 5, 3]);
    for (const op of j?.order ?? []) {
      const next = colorJitter(img, [{ ...jitterOnly(op, j![op]), order: [op] }]);
      img.dispose();
      img = next;
    }
    const ref = (await img.data()) as Float32Array;
    img.dispose();
    assertClose(batched.slice(b * n, (b + 1) * n), ref, 1e-6, `sample ${b}`);
  }
  // And the order does make a difference for these factors.
  const j0 = jitters[0]!;
  const reversed = await run(() =>
    colorJitter(tf.tensor4d(px.slice(0, n), [1, 5, 5, 3]), [{ ...j0, order: [...j0.order].reverse() }]),
  );
  assert.ok(maxAbsDiff(reversed, batched.slice(0, n)) > 1e-3, "order changes the result");
});

test("applyView clips to [0, 1] and has the right shape for 3- and 1-channel batches", async () => {
  await cpu();
  for (const [h, c] of [
    [32, 3],
    [28, 1],
  ] as const) {
    const B = 16;
    const view = simclrView({ jitterP: 1, s: 2 });
    const y = applyView(tf.tensor4d(randomPixels(B * h * h * c, 10), [B, h, h, c]), view, sampleViewPlans(view, batch(B), ctx(1, 0, h)));
    assert.deepEqual(y.shape, [B, 32, 32, c]);
    assert.equal(y.dtype, "float32");
    const v = await y.data();
    y.dispose();
    assert.ok(v.every((p) => p >= 0 && p <= 1), "in [0, 1]");
  }
});

// ---------------------------------------------------------------- torchvision fixtures

interface Fixture {
  op: string;
  params: Record<string, number | number[] | string | boolean>;
  layout: string;
  input: number[][][];
  output: number[][][];
  tolerance: number;
}

const fixtureDir = path.join(__dirname, "..", "fixtures", "augment");
const FIXTURES = ["hflip", "brightness", "contrast", "saturation", "hue", "grayscale", "resized_crop"];

function chwToNhwc(chw: number[][][], scale: number): { data: Float32Array; shape: [number, number, number, number] } {
  const C = chw.length;
  const H = chw[0]!.length;
  const W = chw[0]![0]!.length;
  const data = new Float32Array(H * W * C);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(y * W + x) * C + c] = chw[c]![y]![x]! * scale;
  return { data, shape: [1, H, W, C] };
}

function applyFixture(fx: Fixture, x: tf.Tensor4D): tf.Tensor4D {
  const [, H, W] = x.shape;
  const p = fx.params;
  switch (fx.op) {
    case "hflip":
      return cropResizeFlip(x, [{ top: 0, left: 0, height: H, width: W }], [true], H, W);
    case "brightness":
    case "contrast":
    case "saturation":
    case "hue":
      return colorJitter(x, [jitterOnly(fx.op, p.factor as number)]);
    case "grayscale":
      assert.equal(p.channels, 3);
      return randomGrayscale(x, [true]);
    case "resized_crop": {
      assert.equal(p.interpolation, "bilinear");
      assert.equal(p.antialias, false);
      const [oh, ow] = p.size as number[];
      const box = { top: p.top as number, left: p.left as number, height: p.height as number, width: p.width as number };
      return cropResizeFlip(x, [box], [false], oh!, ow!);
    }
    default:
      throw new Error(`no op for fixture ${fx.op}`);
  }
}

for (const name of FIXTURES) {
  test(`torchvision fixture ${name}.json is reproduced within its tolerance`, async () => {
    await cpu();
    const fx = JSON.parse(fs.readFileSync(path.join(fixtureDir, `${name}.json`), "utf8")) as Fixture;
    assert.equal(fx.layout, "CHW uint8");
    const input = chwToNhwc(fx.input, 1 / 255);
    const expected = chwToNhwc(fx.output, 1);
    const got = await run(() => applyFixture(fx, tf.tensor4d(input.data, input.shape)));
    // Our float output, quantised to uint8 by rounding, against torchvision's uint8 output.
    const quantised = got.map((v) => Math.round(v * 255));
    const err = maxAbsDiff(quantised, expected.data);
    assert.ok(err <= fx.tolerance, `${name}: max error ${err} > tolerance ${fx.tolerance}`);
  });
}

// ---------------------------------------------------------------- determinism

test("same seed, epoch, image and view give the same draws whatever the batch; other epochs/views/seeds differ", () => {
  const c = ctx(42, 3, 32);
  const a = sampleViewPlans(SIMCLR, [5, 17, 99], c);
  const b = sampleViewPlans(SIMCLR, [99, 1, 2, 17, 5], c);
  assert.deepEqual(a[0], b[4]);
  assert.deepEqual(a[1], b[3]);
  assert.deepEqual(a[2], b[0]);
  assert.deepEqual(a[0], sampleViewPlan(SIMCLR, 5, c));
  const otherEpoch = sampleViewPlans(SIMCLR, [5, 17, 99], ctx(42, 4, 32));
  const otherView = sampleViewPlans(simclrView({ view: 1 }), [5, 17, 99], c);
  const otherSeed = sampleViewPlans(SIMCLR, [5, 17, 99], ctx(43, 3, 32));
  for (const other of [otherEpoch, otherView, otherSeed]) {
    for (let i = 0; i < 3; i++) assert.notDeepEqual(a[i], other[i]);
  }
});

test("each op draws from its own stream: changing one op's p leaves the other ops' draws alone", () => {
  const c = ctx(9, 0, 32);
  const base = sampleViewPlans(SIMCLR, batch(200), c);
  const noJitter = sampleViewPlans(simclrView({ jitterP: 0 }), batch(200), c);
  for (let i = 0; i < 200; i++) {
    assert.deepEqual(crop(noJitter[i]!), crop(base[i]!));
    assert.equal(flip(noJitter[i]!), flip(base[i]!));
    assert.equal(grayscale(noJitter[i]!), grayscale(base[i]!));
    assert.equal(jitter(noJitter[i]!), null);
  }
  assert.equal(opRng(9, 0, 0, 3, 1).next(), opRng(9, 0, 0, 3, 1).next());
  assert.notEqual(opRng(9, 0, 0, 3, 1).next(), opRng(9, 0, 0, 3, 2).next());
});

test("same draws give identical pixels; another epoch gives other pixels", async () => {
  await cpu();
  const B = 8;
  const px = randomPixels(B * 32 * 32 * 3, 11);
  const idx = batch(B, 100);
  const views = async (epoch: number) =>
    run(() => applyView(tf.tensor4d(px, [B, 32, 32, 3]), SIMCLR, sampleViewPlans(SIMCLR, idx, ctx(7, epoch, 32))));
  const first = await views(0);
  const again = await views(0);
  assert.deepEqual(Array.from(first), Array.from(again));
  const next = await views(1);
  assert.ok(maxAbsDiff(first, next) > 0.05);
});

test("each image's view does not depend on the rest of the batch (cpu and wasm)", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    await viewsIndependentOfBatch();
  }
  await cpu();
});

async function viewsIndependentOfBatch(): Promise<void> {
  const B = 20;
  const px = randomPixels(B * 12 * 12 * 3, 15);
  const view = { ...simclrView({ view: 1 }), size: 10 };
  const params = sampleViewPlans(view, batch(B, 50), ctx(8, 2, 12));
  const all = await run(() => applyView(tf.tensor4d(px, [B, 12, 12, 3]), view, params));
  const n = 10 * 10 * 3;
  for (let b = 0; b < B; b++) {
    const alone = await run(() =>
      applyView(tf.tensor4d(px.slice(b * 432, (b + 1) * 432), [1, 12, 12, 3]), view, [params[b]!]),
    );
    assertClose(all.slice(b * n, (b + 1) * n), alone, 1e-6, `${tf.getBackend()}: image ${b}`);
  }
}

// ---------------------------------------------------------------- statistics

test("over 4000 draws: flip 50%, jitter 80%, grayscale 20% (+-3%), factors in range, all 24 orders", () => {
  const N = 4000;
  const s = 0.5;
  let flips = 0;
  let jitters = 0;
  let grays = 0;
  const orders = new Set<string>();
  let bMin = Infinity;
  let bMax = -Infinity;
  let hMin = Infinity;
  let hMax = -Infinity;
  for (let i = 0; i < N; i++) {
    const p = sampleViewPlan(SIMCLR, i, ctx(1, 0, 32));
    flips += flip(p) ? 1 : 0;
    grays += grayscale(p) ? 1 : 0;
    const j = jitter(p);
    if (j) {
      jitters++;
      orders.add(j.order.join());
      assert.deepEqual([...j.order].sort(), [...JITTER_OPS].sort());
      for (const f of [j.brightness, j.contrast, j.saturation]) {
        assert.ok(f >= 1 - 0.8 * s && f <= 1 + 0.8 * s, `factor ${f}`);
      }
      assert.ok(Math.abs(j.hue) <= 0.2 * s, `hue ${j.hue}`);
      bMin = Math.min(bMin, j.brightness);
      bMax = Math.max(bMax, j.brightness);
      hMin = Math.min(hMin, j.hue);
      hMax = Math.max(hMax, j.hue);
    }
  }
  assert.ok(Math.abs(flips / N - 0.5) < 0.03, `flip rate ${flips / N}`);
  assert.ok(Math.abs(jitters / N - 0.8) < 0.03, `jitter rate ${jitters / N}`);
  assert.ok(Math.abs(grays / N - 0.2) < 0.03, `grayscale rate ${grays / N}`);
  assert.equal(orders.size, 24);
  assert.ok(bMin < 0.62 && bMax > 1.38, `brightness spans [${bMin}, ${bMax}]`);
  assert.ok(hMin < -0.09 && hMax > 0.09, `hue spans [${hMin}, ${hMax}]`);
  // Asymmetric probabilities, so that p and 1 - p cannot be confused.
  const draws = sampleViewPlans(simclrView({ flipP: 0.1, jitterP: 0.3, grayP: 0.65, view: 1 }), batch(N), ctx(5, 2, 32));
  const rate = (f: (p: ViewPlan) => boolean) => draws.filter(f).length / N;
  assert.ok(Math.abs(rate(flip) - 0.1) < 0.03, "hflip p 0.1");
  assert.ok(Math.abs(rate((p) => jitter(p) !== null) - 0.3) < 0.03, "colorJitter p 0.3");
  assert.ok(Math.abs(rate(grayscale) - 0.65) < 0.03, "grayscale p 0.65");
});

test("crop areas lie in cropScale and aspect ratios in cropRatio (log-uniform), except the fallback", () => {
  const S = 500;
  const view = simclrView({ scale: [0.2, 0.6] });
  let fallbacks = 0;
  let wide = 0;
  let fMin = Infinity;
  let fMax = -Infinity;
  let rMin = Infinity;
  let rMax = -Infinity;
  const N = 4000;
  for (let i = 0; i < N; i++) {
    const { top, left, height, width, fallback } = crop(sampleViewPlan(view, i, ctx(2, 0, S)));
    assert.ok(top >= 0 && left >= 0 && top + height <= S && left + width <= S, "inside the image");
    assert.ok(Number.isInteger(top) && Number.isInteger(left) && Number.isInteger(height) && Number.isInteger(width));
    if (fallback) {
      fallbacks++;
      continue;
    }
    const frac = (height * width) / (S * S);
    const ratio = width / height;
    // Rounding w and h to integers moves these by well under 1% at this size.
    assert.ok(frac >= 0.2 * 0.99 && frac <= 0.6 * 1.01, `area fraction ${frac}`);
    assert.ok(ratio >= 0.75 * 0.99 && ratio <= (4 / 3) * 1.01, `aspect ratio ${ratio}`);
    fMin = Math.min(fMin, frac);
    fMax = Math.max(fMax, frac);
    rMin = Math.min(rMin, ratio);
    rMax = Math.max(rMax, ratio);
    if (ratio > 1) wide++;
  }
  assert.ok(fallbacks < N * 0.01, `${fallbacks} fallbacks`);
  assert.ok(fMin < 0.21 && fMax > 0.59, `area fractions span [${fMin}, ${fMax}]`);
  assert.ok(rMin < 0.76 && rMax > 1.32, `ratios span [${rMin}, ${rMax}]`);
  // log-uniform on [3/4, 4/3] is symmetric around ratio 1.
  assert.ok(Math.abs(wide / (N - fallbacks) - 0.5) < 0.03, `wide crops ${wide / (N - fallbacks)}`);
});

test("when no attempt fits, the crop falls back to the central crop (torchvision)", () => {
  // Area 1 with ratio >= 2 never fits a square: central crop, full width, height = round(W / 2).
  const a = sampleCrop(new Rng(0), 10, 10, [1, 1], [2, 3]);
  assert.deepEqual(a, { crop: { top: 2, left: 0, height: 5, width: 10 }, fallback: true });
  // Ratio <= 1/2 on a square: full height, width = round(H * 1/2).
  const b = sampleCrop(new Rng(0), 10, 10, [1, 1], [0.3, 0.5]);
  assert.deepEqual(b, { crop: { top: 0, left: 2, height: 10, width: 5 }, fallback: true });
  // Non-square 8x12 (ratio 1.5 > 0.6): full height, width = round(8 * 0.6) = 5, centred.
  const c = sampleCrop(new Rng(0), 8, 12, [1, 1], [0.5, 0.6]);
  assert.deepEqual(c, { crop: { top: 0, left: 3, height: 8, width: 5 }, fallback: true });
  // A ratio range holding the image's own ratio: the whole image, fitted or as the fallback.
  for (let seed = 0; seed < 20; seed++) {
    const d = sampleCrop(new Rng(seed), 10, 10, [1, 1], [0.1, 10]);
    assert.deepEqual(d.crop, { top: 0, left: 0, height: 10, width: 10 });
  }
});

// ---------------------------------------------------------------- backends, leaks

// cropAndResize takes float32 normalised boxes; wasm also does the coordinate
// arithmetic in float32 (cpu in float64), ~1 ulp of a coordinate near 33, so
// crops differ by a few 1e-6; jitter factors up to 1.8 (strength 1) can double
// that twice.
test("wasm gives the same views as cpu for the same params (crops within 1e-5, views within 3e-5)", async () => {
  for (const [h, c] of [
    [32, 3],
    [28, 1],
  ] as const) {
    const B = 32;
    const px = randomPixels(B * h * h * c, 12);
    const view = simclrView({ s: 1, view: 1 });
    const params = sampleViewPlans(view, batch(B), ctx(3, 1, h));
    const crops: Float32Array[] = [];
    const outputs: Float32Array[] = [];
    for (const backend of ["cpu", "wasm"]) {
      assert.ok(await tf.setBackend(backend), `backend ${backend}`);
      assert.equal(tf.getBackend(), backend);
      const x = tf.tensor4d(px, [B, h, h, c]);
      crops.push(await run(() => cropResizeFlip(x, params.map(crop), params.map(flip), 32)));
      outputs.push(await run(() => applyView(x, view, params)));
      x.dispose();
    }
    assertClose(crops[1]!, crops[0]!, 1e-5, `crops, wasm vs cpu, ${h}x${h}x${c}`);
    assertClose(outputs[1]!, outputs[0]!, 3e-5, `views, wasm vs cpu, ${h}x${h}x${c}`);
    // The colour ops alone, on identical input: float32 on both backends.
    const cropped = tf.tensor4d(crops[0]!, [B, 32, 32, c]);
    const jittered: Float32Array[] = [];
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      jittered.push(await run(() => colorJitter(cropped, params.map(jitter))));
    }
    cropped.dispose();
    assertClose(jittered[1]!, jittered[0]!, 1e-5, `jitter, wasm vs cpu, ${h}x${h}x${c}`);
  }
  await cpu();
});

test("applyView and the ops leak no tensors", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const B = 24;
    const x = tf.tensor4d(randomPixels(B * 16 * 16 * 3, 13), [B, 16, 16, 3]);
    const gray = tf.tensor4d(randomPixels(B * 16 * 16, 14), [B, 16, 16, 1]);
    const view = { ...SIMCLR, size: 12 };
    const params = sampleViewPlans(view, batch(B), ctx(4, 0, 16));
    const before = tf.memory().numTensors;
    for (const img of [x, gray]) {
      applyView(img, view, params).dispose();
      colorJitter(img, params.map(jitter)).dispose();
      colorJitter(img, params.map(() => null)).dispose();
      randomGrayscale(img, params.map(grayscale)).dispose();
    }
    assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    assert.equal(x.isDisposed || gray.isDisposed, false, "inputs untouched");
    x.dispose();
    gray.dispose();
  }
  await cpu();
});
