// Per-sample augmentation kernels: torchvision fixtures (batch of 1, and in
// the middle of a batch of 3 whose other samples must come back bit for bit),
// hand-computed cases, wasm = cpu, no leaks, argument checks.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { Rng } from "../../src/core/random";
import {
  affine,
  autoContrast,
  brightness,
  contrast,
  cutout,
  equalize,
  gaussianBlur,
  gaussianKernelSize,
  hflip,
  invert,
  posterize,
  rotateMatrix,
  saturation,
  sharpness,
  shearMatrix,
  solarize,
  translateMatrix,
  vflip,
  type CutoutBox,
} from "../../src/core/augment/kernels";
import { randomPixels, maxAbsDiff, assertClose } from "./pixels";

type Shape = [number, number, number, number];

async function cpu(): Promise<void> {
  assert.ok(await tf.setBackend("cpu"));
}

/** Bit-for-bit equality (Object.is, so -0 vs 0 counts too). */
function assertIdentical(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Run fn on a fresh tensor made from data, return the output's data; disposes both. */
async function apply(data: Float32Array, shape: Shape, fn: (x: tf.Tensor4D) => tf.Tensor4D): Promise<Float32Array> {
  // A copy: the cpu backend may keep the array it is given, and a kernel writing into its input would go unseen.
  const x = tf.tensor4d(data.slice(), shape);
  const y = fn(x);
  assert.notEqual(y, x, "a new tensor");
  assert.deepEqual(y.shape, shape, "same shape");
  assert.equal(y.dtype, "float32");
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

// ---------------------------------------------------------------- torchvision fixtures

interface Fixture {
  op: string;
  params: Record<string, number | string>;
  layout: string;
  input: number[][][];
  output: number[][][];
  tolerance: number;
  note: string;
}

/** The kernel under test, with the fixture's parameters for samples where on[b]. */
type Kernel = (x: tf.Tensor4D, on: boolean[]) => tf.Tensor4D;

function kernelFor(fx: Fixture, H: number, W: number): Kernel {
  const p = fx.params;
  const num = (k: string) => p[k] as number;
  const pick = <T>(on: boolean[], v: T) => on.map((o) => (o ? v : null));
  const interp = () => p.interpolation as "nearest" | "bilinear";
  switch (fx.op) {
    case "vflip":
      return (x, on) => vflip(x, on);
    case "invert":
      return (x, on) => invert(x, on);
    case "autocontrast":
      return (x, on) => autoContrast(x, on);
    case "equalize":
      return (x, on) => equalize(x, on);
    case "solarize":
      return (x, on) => solarize(x, pick(on, num("threshold") / 255));
    case "posterize":
      return (x, on) => posterize(x, pick(on, num("bits")));
    case "sharpness":
      return (x, on) => sharpness(x, pick(on, num("factor")));
    case "gaussian_blur":
      return (x, on) => gaussianBlur(x, pick(on, num("sigma")), num("kernel"));
    case "cutout": {
      const box: CutoutBox = { top: num("top"), left: num("left"), height: num("height"), width: num("width"), value: num("value") / 255 };
      return (x, on) => cutout(x, pick(on, box));
    }
    case "rotate":
      return (x, on) => affine(x, pick(on, rotateMatrix(num("degrees"), H, W)), interp(), num("fill") / 255);
    case "shearX": {
      // RandAugment's magnitude is the factor tan(angle); the fixture gives the angle.
      const m = shearMatrix(Math.tan((num("shearDegrees") * Math.PI) / 180), 0, H, W);
      return (x, on) => affine(x, pick(on, m), interp(), num("fill") / 255);
    }
    case "translate":
      return (x, on) => affine(x, pick(on, translateMatrix(num("dx"), num("dy"))), "nearest", num("fill") / 255);
    default:
      throw new Error(`no kernel for fixture ${fx.op}`);
  }
}

const fixtureDir = path.join(__dirname, "..", "fixtures", "augment");
const FIXTURES = [
  "autocontrast",
  "cutout",
  "equalize",
  "gaussian_blur",
  "invert",
  "posterize",
  "rotate",
  "sharpness",
  "shearX",
  "solarize",
  "translate",
  "vflip",
];

/** CHW nested arrays -> NHWC (batch 1), each value mapped by f. */
function chwToNhwc(chw: number[][][], f: (v: number) => number): { data: Float32Array; shape: Shape } {
  const C = chw.length;
  const H = chw[0]!.length;
  const W = chw[0]![0]!.length;
  const data = new Float32Array(H * W * C);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[(y * W + x) * C + c] = f(chw[c]![y]![x]!);
  return { data, shape: [1, H, W, C] };
}

for (const name of FIXTURES) {
  test(`torchvision fixture ${name}.json: batch of 1 within tolerance; in a batch of 3 the others are untouched`, async (t) => {
    await cpu();
    const fx = JSON.parse(fs.readFileSync(path.join(fixtureDir, `${name}.json`), "utf8")) as Fixture;
    assert.equal(fx.layout, "CHW uint8");
    const input = chwToNhwc(fx.input, (v) => v / 255);
    const expected = chwToNhwc(fx.output, (v) => v);
    const [, H, W, C] = input.shape;
    const kernel = kernelFor(fx, H, W);
    const one = await apply(input.data, input.shape, (x) => kernel(x, [true]));
    assert.ok(one.every((v) => v >= 0 && v <= 1), "in [0, 1]");
    // Our float output quantised by rounding, against torchvision's uint8 output.
    const err = maxAbsDiff(
      one.map((v) => Math.round(v * 255)),
      expected.data,
    );
    const raw = maxAbsDiff(
      one.map((v) => v * 255),
      expected.data,
    );
    t.diagnostic(`${name}: max |diff| ${err} after rounding, ${raw.toFixed(4)} before (uint8 levels; tolerance ${fx.tolerance})`);
    assert.ok(err <= fx.tolerance, `${name}: max error ${err} > tolerance ${fx.tolerance}`);

    const n = H * W * C;
    const batch = new Float32Array(3 * n);
    batch.set(randomPixels(n, 1), 0);
    batch.set(input.data, n);
    batch.set(randomPixels(n, 2), 2 * n);
    const three = await apply(batch, [3, H, W, C], (x) => kernel(x, [false, true, false]));
    assertIdentical(three.subarray(0, n), batch.subarray(0, n), `${name}: sample 0`);
    assertIdentical(three.subarray(2 * n), batch.subarray(2 * n), `${name}: sample 2`);
    assertIdentical(three.subarray(n, 2 * n), one, `${name}: sample 1 = batch of 1`);
  });
}

// ---------------------------------------------------------------- hand-computed cases

test("flips mirror only the flagged samples", async () => {
  await cpu();
  // Two 2x3 one-channel images, value = 10*row + col (+100 for the second).
  const px = Float32Array.from({ length: 12 }, (_, i) => (Math.floor(i / 6) * 100 + 10 * Math.floor((i % 6) / 3) + (i % 3)) / 1000);
  const h = await apply(px, [2, 2, 3, 1], (x) => hflip(x, [true, false]));
  assertIdentical(h, Float32Array.from([2, 1, 0, 12, 11, 10, 100, 101, 102, 110, 111, 112].map((v) => v / 1000)), "hflip");
  const v = await apply(px, [2, 2, 3, 1], (x) => vflip(x, [false, true]));
  assertIdentical(v, Float32Array.from([0, 1, 2, 10, 11, 12, 110, 111, 112, 100, 101, 102].map((v) => v / 1000)), "vflip");
  // RGB pixels move as a whole.
  const rgb = await apply(Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), [1, 1, 2, 3], (x) => hflip(x, [true]));
  assertIdentical(rgb, Float32Array.from([0.4, 0.5, 0.6, 0.1, 0.2, 0.3]), "hflip rgb");
});

test("translate by whole pixels shifts and fills (nearest and bilinear); rotate 90 is counter-clockwise", async () => {
  await cpu();
  const H = 3;
  const W = 4;
  const px = Float32Array.from({ length: H * W }, (_, i) => (i + 1) / 20);
  // dx = 1, dy = -1: output(x, y) = input(x - 1, y + 1).
  const want = Float32Array.from({ length: H * W }, (_, i) => {
    const y = Math.floor(i / W);
    const x = i % W;
    return x - 1 >= 0 && y + 1 < H ? px[(y + 1) * W + x - 1]! : 0.5;
  });
  for (const interp of ["nearest", "bilinear"] as const) {
    const out = await apply(px, [1, H, W, 1], (x) => affine(x, [translateMatrix(1, -1)], interp, 0.5));
    assertClose(out, want, 1e-7, `translate, ${interp}`);
  }
  // 90 degrees counter-clockwise on a square: output[y][x] = input[x][N-1-y] (top-right corner -> top-left).
  const N = 4;
  const sq = Float32Array.from({ length: N * N }, (_, i) => i / 16);
  const rot = await apply(sq, [1, N, N, 1], (x) => affine(x, [rotateMatrix(90, N, N)], "nearest", 0));
  const rotWant = Float32Array.from({ length: N * N }, (_, i) => sq[(i % N) * N + (N - 1 - Math.floor(i / N))]!);
  assertIdentical(rot, rotWant, "rotate 90");
});

test("shear: a positive shearX factor moves the bottom rows left, about the centre", async () => {
  await cpu();
  // 3x5 image, one bright column in the middle; shear 1 about the centre row: row r samples column x + (r - 1).
  const px = new Float32Array(15);
  for (let r = 0; r < 3; r++) px[r * 5 + 2] = 1;
  const out = await apply(px, [1, 3, 5, 1], (x) => affine(x, [shearMatrix(1, 0, 3, 5)], "nearest", 0));
  const want = new Float32Array(15);
  want[0 * 5 + 3] = 1; // top row: moved right
  want[1 * 5 + 2] = 1; // centre row: unchanged
  want[2 * 5 + 1] = 1; // bottom row: moved left
  assertIdentical(out, want, "shear");
});

test("solarize inverts pixels at or above the threshold", async () => {
  await cpu();
  const px = Float32Array.from([0.2, 0.25, 0.3, 1, 0, 0.7]);
  const out = await apply(px, [2, 1, 3, 1], (x) => solarize(x, [0.25, 1]));
  assertClose(out, [0.2, 0.75, 0.7, 0, 0, 0.7], 1e-7, "solarize");
  assert.equal(out[1], Math.fround(1 - Math.fround(0.25)), "exactly at the threshold");
  // Threshold 0 inverts everything; above 1 nothing.
  assertClose(await apply(px, [1, 2, 3, 1], (x) => solarize(x, [0])), px.map((v) => 1 - v), 1e-7, "threshold 0");
  assertIdentical(await apply(px, [1, 2, 3, 1], (x) => solarize(x, [1.5])), px, "threshold 1.5");
});

test("posterize keeps the top bits of the uint8 value", async () => {
  await cpu();
  const levels = [0, 37, 128, 200, 255, 31, 32, 127];
  const px = Float32Array.from(levels, (v) => v / 255);
  const bits = async (b: number) => (await apply(px, [1, 1, 8, 1], (x) => posterize(x, [b]))).map((v) => Math.round(v * 255));
  assert.deepEqual(Array.from(await bits(3)), [0, 32, 128, 192, 224, 0, 32, 96]);
  assert.deepEqual(Array.from(await bits(1)), [0, 0, 128, 128, 128, 0, 0, 0]);
  assert.deepEqual(Array.from(await bits(8)), levels);
  assert.deepEqual(Array.from(await bits(0)), [0, 0, 0, 0, 0, 0, 0, 0]);
  // Output values are level / 255 exactly as the inputs are.
  assertIdentical(await apply(px, [1, 1, 8, 1], (x) => posterize(x, [8])), px, "8 bits on uint8 levels");
});

test("invert is 1 - x", async () => {
  await cpu();
  const px = randomPixels(24, 3);
  assertIdentical(await apply(px, [2, 2, 2, 3], (x) => invert(x, [true, true])), px.map((v) => Math.fround(1 - v)), "invert");
});

test("cutout fills the box (clipped to the image) and nothing else", async () => {
  await cpu();
  const H = 4;
  const W = 5;
  const px = Float32Array.from({ length: 2 * H * W * 3 }, (_, i) => 0.5 + (i % 7) / 100);
  const boxes: CutoutBox[] = [
    { top: 1, left: 2, height: 2, width: 9, value: 0.25 }, // runs off the right edge
    { top: -1, left: -2, height: 2, width: 3, value: 1 }, // off the top-left corner: rows 0, cols 0
  ];
  const out = await apply(px, [2, H, W, 3], (x) => cutout(x, boxes));
  for (let b = 0; b < 2; b++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const inside = b === 0 ? y >= 1 && y < 3 && x >= 2 : y === 0 && x === 0;
        for (let c = 0; c < 3; c++) {
          const i = ((b * H + y) * W + x) * 3 + c;
          assert.equal(out[i], inside ? Math.fround(boxes[b]!.value) : px[i], `b${b} y${y} x${x} c${c}`);
        }
      }
  // An empty box changes nothing.
  assertIdentical(await apply(px, [2, H, W, 3], (x) => cutout(x, [{ top: 0, left: 0, height: 0, width: 3, value: 0 }, null])), px, "empty box");
});

test("autoContrast stretches each channel to [0, 1]; a constant channel is unchanged", async () => {
  await cpu();
  // 4 pixels, RGB: R constant 0.4, G from 0.2 to 0.6, B already 0..1.
  const px = Float32Array.from([0.4, 0.2, 0, 0.4, 0.3, 0.5, 0.4, 0.5, 1, 0.4, 0.6, 0.25]);
  const out = await apply(px, [1, 2, 2, 3], (x) => autoContrast(x, [true]));
  for (let i = 0; i < 4; i++) {
    assert.equal(out[3 * i], Math.fround(0.4), "constant channel exactly kept");
    assertClose([out[3 * i + 1]!, out[3 * i + 2]!], [(px[3 * i + 1]! - 0.2) / 0.4, px[3 * i + 2]!], 1e-6, `pixel ${i}`);
  }
});

test("equalize: a known histogram, a channel too flat to equalise, and channels independent", async () => {
  await cpu();
  // 32x32, four levels 256 times each: step = (1024 - 256) // 255 = 3,
  // lut = (cumsum_before + 1) // 3 = 0, 85, 171, 256 -> 255.
  const levels = [10, 20, 30, 40];
  const n = 32 * 32;
  const img = Float32Array.from({ length: n }, (_, i) => levels[i % 4]! / 255);
  const out = await apply(img, [1, 32, 32, 1], (x) => equalize(x, [true]));
  const want = [0, 85, 171, 255];
  assert.deepEqual(
    Array.from(out.subarray(0, 8), (v) => Math.round(v * 255)),
    [...want, ...want],
  );
  assert.ok(out.every((v, i) => v === Math.fround(want[i % 4]! / 255)), "exact levels");
  // Channel 0 as above; channel 1 constant (n - last = 0, step 0: unchanged); channel 2 two levels
  // 512 times each: step = 512 // 255 = 2, lut[50] = 1 // 2 = 0, lut[200] = (512 + 1) // 2 = 256 -> 255.
  const rgb = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    rgb[3 * i] = img[i]!;
    rgb[3 * i + 1] = 100 / 255;
    rgb[3 * i + 2] = (i % 2 ? 200 : 50) / 255;
  }
  const eq = await apply(rgb, [1, 32, 32, 3], (x) => equalize(x, [true]));
  for (let i = 0; i < n; i++) {
    assert.equal(Math.round(eq[3 * i]! * 255), want[i % 4], `R ${i}`);
    assert.equal(eq[3 * i + 1], rgb[3 * i + 1], `G ${i}`);
    assert.equal(Math.round(eq[3 * i + 2]! * 255), i % 2 ? 255 : 0, `B ${i}`);
  }
  // A 2x2 image: n - last < 255, step 0: unchanged.
  const small = Float32Array.from([3, 9, 9, 250], (v) => v / 255);
  assertIdentical(await apply(small, [1, 2, 2, 1], (x) => equalize(x, [true])), small, "step 0");
});

/** PIL ImageOps.equalize on one channel of uint8 levels, written out plainly. */
function equalizeReference(levels: number[]): number[] {
  const hist = new Array<number>(256).fill(0);
  for (const v of levels) hist[v]!++;
  const present = hist.filter((h) => h > 0);
  const step = Math.floor((levels.length - present[present.length - 1]!) / 255);
  if (step === 0) return levels;
  const lut: number[] = [];
  let acc = Math.floor(step / 2);
  for (let i = 0; i < 256; i++) {
    lut.push(Math.min(255, Math.floor(acc / step)));
    acc += hist[i]!;
  }
  return levels.map((v) => lut[v]!);
}

test("equalize matches a plain PIL-style reference on skewed random images", async () => {
  // (The torchvision fixture is 12x16: too few pixels for a step > 0, so it only checks the identity case.)
  const B = 3;
  const H = 40;
  const W = 30;
  const C = 3;
  const rng = new Rng(40);
  // Different skews per image and channel: v = 255 * u^p, some with a spike at the top level.
  const levels = Array.from({ length: B * H * W * C }, (_, i) => {
    const g = Math.floor(i / (H * W * C)) * C + (i % C);
    if (g % 4 === 3 && rng.next() < 0.3) return 255;
    return Math.round(255 * rng.next() ** (0.5 + g / 3));
  });
  const px = Float32Array.from(levels, (v) => v / 255);
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    const out = await apply(px, [B, H, W, C], (x) => equalize(x, [true, true, true]));
    for (let b = 0; b < B; b++)
      for (let c = 0; c < C; c++) {
        const idx = Array.from({ length: H * W }, (_, p) => (b * H * W + p) * C + c);
        const want = equalizeReference(idx.map((i) => levels[i]!));
        assert.deepEqual(
          idx.map((i) => Math.round(out[i]! * 255)),
          want,
          `${backend}: image ${b} channel ${c}`,
        );
        assert.ok(want.some((v, p) => v !== levels[idx[p]!]), `image ${b} channel ${c} is really changed`);
      }
  }
  await cpu();
});

test("colour blends: brightness, contrast, saturation, sharpness", async () => {
  await cpu();
  const px = randomPixels(3 * 3 * 3, 4);
  const gray = Array.from({ length: 9 }, (_, i) => 0.299 * px[3 * i]! + 0.587 * px[3 * i + 1]! + 0.114 * px[3 * i + 2]!);
  const mean = gray.reduce((a, b) => a + b) / 9;
  const s: Shape = [1, 3, 3, 3];
  assertClose(await apply(px, s, (x) => brightness(x, [0.5])), px.map((v) => v / 2), 1e-7, "brightness 0.5");
  assertClose(await apply(px, s, (x) => brightness(x, [3])), px.map((v) => Math.min(1, 3 * v)), 1e-6, "brightness 3 clips");
  assertClose(await apply(px, s, (x) => contrast(x, [0])), new Float32Array(27).fill(mean), 1e-6, "contrast 0");
  assertClose(await apply(px, s, (x) => contrast(x, [0.5])), px.map((v) => 0.5 * v + 0.5 * mean), 1e-6, "contrast 0.5");
  assertClose(await apply(px, s, (x) => saturation(x, [0])), gray.flatMap((g) => [g, g, g]), 1e-6, "saturation 0");
  const mono = randomPixels(9, 5);
  assertIdentical(await apply(mono, [1, 3, 3, 1], (x) => saturation(x, [0])), mono, "1-channel saturation");
  const monoMean = mono.reduce((a, b) => a + b) / 9;
  assertClose(await apply(mono, [1, 3, 3, 1], (x) => contrast(x, [0])), new Float32Array(9).fill(monoMean), 1e-6, "1-channel contrast");
  // Sharpness 0 = the smoothed image: centre = (5 * x + 8 neighbours) / 13, border = original.
  const sh = await apply(mono, [1, 3, 3, 1], (x) => sharpness(x, [0]));
  const smooth = (mono.reduce((a, b) => a + b) + 4 * mono[4]!) / 13;
  assertClose(sh, mono.map((v, i) => (i === 4 ? smooth : v)), 1e-6, "sharpness 0");
  for (let i = 0; i < 9; i++) if (i !== 4) assert.equal(sh[i], mono[i], "border kept exactly");
  // Images with a side <= 2 are left alone, as torchvision.
  const thin = randomPixels(2 * 5 * 3, 6);
  assertIdentical(await apply(thin, [1, 2, 5, 3], (x) => sharpness(x, [2])), thin, "2-row image");
});

test("gaussian blur: kernel sizes, constant image, per-sample sigmas = one at a time, clamped kernel", async () => {
  await cpu();
  assert.equal(gaussianKernelSize(0.1), 3);
  assert.equal(gaussianKernelSize(0.34), 5);
  assert.equal(gaussianKernelSize(1), 7);
  assert.equal(gaussianKernelSize(1.5), 11);
  const constant = new Float32Array(2 * 6 * 7 * 3).fill(0.37);
  // sigma 10 wants k = 61: clamped to 5 on a 6x7 image.
  assertClose(await apply(constant, [2, 6, 7, 3], (x) => gaussianBlur(x, [0.8, 10])), constant, 1e-6, "constant");
  // Batched with different kernel sizes = each alone.
  const px = randomPixels(3 * 9 * 9 * 1, 7);
  const sigmas = [0.5, 2, 1.1];
  const batched = await apply(px, [3, 9, 9, 1], (x) => gaussianBlur(x, sigmas));
  for (let b = 0; b < 3; b++) {
    const alone = await apply(px.slice(b * 81, (b + 1) * 81), [1, 9, 9, 1], (x) => gaussianBlur(x, [sigmas[b]!]));
    assertClose(batched.subarray(b * 81, (b + 1) * 81), alone, 1e-6, `sample ${b}`);
  }
  // A 1-pixel-high image: the kernel clamps to size 1, the identity.
  const row = Float32Array.from([0, 1, 0, 0, 1]);
  assertIdentical(await apply(row, [1, 1, 5, 1], (x) => gaussianBlur(x, [1])), row, "1-pixel-high image: k clamps to 1");
  const col = Float32Array.from([0, 1, 0, 0.5, 1, 0.25, 0.75]);
  const k3 = [Math.exp(-0.5), 1, Math.exp(-0.5)];
  const sum = k3[0]! + k3[1]! + k3[2]!;
  // 7x7 image with that row repeated: the vertical pass is the identity, so rows blur like the 1-D signal.
  const img = Float32Array.from({ length: 49 }, (_, i) => col[i % 7]!);
  const out = await apply(img, [1, 7, 7, 1], (x) => gaussianBlur(x, [1], 3));
  const padded = [col[1]!, ...col, col[5]!]; // reflect
  const want = Array.from({ length: 7 }, (_, i) => (k3[0]! * padded[i]! + k3[1]! * padded[i + 1]! + k3[2]! * padded[i + 2]!) / sum);
  assertClose(out.subarray(0, 7), want, 1e-6, "1-D reflect");
});

// ---------------------------------------------------------------- backends, leaks, checks

/** Every kernel with mixed parameters (sample 1 unchanged), for a batch of 4 of H x W. */
function allKernels(H: number, W: number): [string, number, (x: tf.Tensor4D) => tf.Tensor4D][] {
  const on = [true, false, true, true];
  return [
    ["hflip", 0, (x) => hflip(x, on)],
    ["vflip", 0, (x) => vflip(x, on)],
    ["invert", 0, (x) => invert(x, on)],
    [
      "cutout",
      0,
      (x) =>
        cutout(x, [
          { top: 1, left: 2, height: 4, width: 3, value: 0.5 },
          null,
          { top: 0, left: 0, height: 20, width: 2, value: 0 },
          { top: 5, left: 5, height: 3, width: 3, value: 1 },
        ]),
    ],
    ["rotate nearest", 1e-5, (x) => affine(x, [rotateMatrix(17, H, W), null, rotateMatrix(-23, H, W), rotateMatrix(180, H, W)], "nearest", 0)],
    ["rotate bilinear", 1e-5, (x) => affine(x, [rotateMatrix(10.5, H, W), null, rotateMatrix(-29, H, W), rotateMatrix(3, H, W)], "bilinear", 0.5)],
    ["shear", 1e-5, (x) => affine(x, [shearMatrix(0.27, 0, H, W), null, shearMatrix(0, -0.21, H, W), shearMatrix(0.1, 0.13, H, W)], "bilinear", 0)],
    ["translate", 1e-5, (x) => affine(x, [translateMatrix(2, -1), null, translateMatrix(-3, 0), translateMatrix(0.5, 1.25)], "bilinear", 0.2)],
    ["brightness", 1e-5, (x) => brightness(x, [0.3, null, 1.7, 1])],
    ["contrast", 1e-5, (x) => contrast(x, [0.3, null, 1.7, 0])],
    ["saturation", 1e-5, (x) => saturation(x, [0.3, null, 1.7, 0])],
    ["sharpness", 1e-5, (x) => sharpness(x, [0.1, null, 1.9, 3])],
    ["solarize", 1e-5, (x) => solarize(x, [0.5, null, 0.9, 0])],
    ["posterize", 1e-5, (x) => posterize(x, [1, null, 4, 7])],
    ["autoContrast", 1e-5, (x) => autoContrast(x, on)],
    ["equalize", 1e-5, (x) => equalize(x, on)],
    ["gaussianBlur", 1e-5, (x) => gaussianBlur(x, [0.6, null, 1.7, 0.2])],
    ["gaussianBlur k=5", 1e-5, (x) => gaussianBlur(x, [0.6, null, 1.7, 0.2], 5)],
  ];
}

test("wasm gives the same results as cpu for every kernel (3 and 1 channels); unchanged samples are exact", async (t) => {
  for (const C of [3, 1]) {
    // More than 255 pixels, so that equalize has a step > 0.
    const H = 24;
    const W = 22;
    const shape: Shape = [4, H, W, C];
    // Low contrast so that autocontrast and equalize have work to do.
    const px = randomPixels(4 * H * W * C, 20 + C).map((v) => 0.2 + 0.5 * v);
    const n = H * W * C;
    for (const [name, tol, fn] of allKernels(H, W)) {
      const outs: Float32Array[] = [];
      for (const backend of ["cpu", "wasm"]) {
        assert.ok(await tf.setBackend(backend), backend);
        const out = await apply(px, shape, fn);
        assert.ok(out.every((v) => v >= 0 && v <= 1), `${name} ${backend}: in [0, 1]`);
        assertIdentical(out.subarray(n, 2 * n), px.subarray(n, 2 * n), `${name} ${backend} C=${C}: unchanged sample`);
        outs.push(out);
      }
      t.diagnostic(`${name}, ${C} channels: wasm vs cpu max |diff| ${maxAbsDiff(outs[1]!, outs[0]!)}`);
      if (tol === 0) assertIdentical(outs[1]!, outs[0]!, `${name} C=${C}: wasm vs cpu`);
      else assertClose(outs[1]!, outs[0]!, tol, `${name} C=${C}: wasm vs cpu`);
      // Sample 0 was really changed (saturation is a no-op on 1 channel).
      const changed = maxAbsDiff(outs[0]!.subarray(0, n), px.subarray(0, n)) > 1e-3;
      assert.equal(changed, !(name === "saturation" && C === 1), `${name} C=${C}: sample 0 changed`);
    }
  }
  await cpu();
});

test("the kernels leak no tensors, copy when nothing fires, and leave the input alone (cpu and wasm)", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    for (const C of [3, 1]) {
      const px = randomPixels(4 * 9 * 10 * C, 30);
      const x = tf.tensor4d(px.slice(), [4, 9, 10, C]); // a copy: the cpu backend may keep the array it was given
      const before = tf.memory().numTensors;
      for (const [name, , fn] of allKernels(9, 10)) {
        fn(x).dispose();
        assertIdentical(await x.data(), px, `${backend}: ${name} left its input alone`);
      }
      const none = [
        hflip(x, [false, false, false, false]),
        invert(x, [false, false, false, false]),
        equalize(x, [false, false, false, false]),
        affine(x, [null, null, null, null], "nearest", 0),
        gaussianBlur(x, [null, null, null, null]),
        cutout(x, [null, null, null, null]),
        posterize(x, [null, null, null, null]),
        saturation(x, [null, null, null, null]),
      ];
      const data = await x.data();
      for (const y of none) {
        assert.notEqual(y, x);
        assertIdentical(await y.data(), data, `${backend}: copy`);
        y.dispose();
      }
      // Every sample firing (no gather/scatter) also returns a new tensor.
      for (const y of [sharpness(x, [1, 1, 1, 1]), gaussianBlur(x, [0.5, 0.5, 0.5, 0.5], 1), saturation(x, [1, 2, 3, 4])]) {
        assert.notEqual(y, x);
        y.dispose();
      }
      assert.equal(tf.memory().numTensors, before, `${backend}, ${C} channels: tensors leaked`);
      assert.equal(x.isDisposed, false);
      x.dispose();
    }
  }
  await cpu();
});

test("a parameter list of the wrong length, or bad parameters, throw", async () => {
  await cpu();
  const x = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
  const cases: [() => unknown, RegExp][] = [
    [() => hflip(x, [true]), /hflip: 2 images but 1/],
    [() => vflip(x, [true, true, true]), /vflip: 2 images but 3/],
    [() => affine(x, [null], "nearest", 0), /affine: 2 images but 1/],
    [() => brightness(x, [1]), /brightness: 2 images but 1/],
    [() => contrast(x, [1]), /contrast/],
    [() => saturation(x, [1]), /saturation/],
    [() => sharpness(x, [1]), /sharpness/],
    [() => solarize(x, [0.5]), /solarize/],
    [() => posterize(x, [4]), /posterize/],
    [() => invert(x, [true]), /invert/],
    [() => autoContrast(x, [true]), /autoContrast/],
    [() => equalize(x, [true]), /equalize/],
    [() => gaussianBlur(x, [1]), /gaussianBlur/],
    [() => cutout(x, [null]), /cutout/],
    [() => posterize(x, [9, null]), /bits/],
    [() => gaussianBlur(x, [1, 1], 4), /odd/],
    [() => gaussianBlur(x, [0, null]), /sigma/],
    [() => affine(x, [null, null], "nearest", 2), /fill/],
    [() => cutout(x, [{ top: 0.5, left: 0, height: 1, width: 1, value: 0 }, null]), /bad box/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, re);
  // The 1-channel / tiny-image shortcuts check the length too.
  const mono = tf.zeros([2, 2, 2, 1]) as tf.Tensor4D;
  assert.throws(() => saturation(mono, [1]), /saturation: 2 images but 1/);
  assert.throws(() => sharpness(mono, [1]), /sharpness: 2 images but 1/);
  x.dispose();
  mono.dispose();
});
