// The policy language: config checks, presets, magnitudes, RandAugment, the
// statistics of random draws, and every op through applyView on cpu and wasm.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { Value } from "@sinclair/typebox/value";
import { parseExperiment } from "../../src/core/config/load";
import { AUGMENT_PRESETS, RANDAUGMENT_OPS, ViewSchema, type OpSpec } from "../../src/core/config/augmentSchema";
import {
  PRESETS,
  applyView,
  policyViews,
  sampleViewPlan,
  sampleViewPlans,
  viewInstances,
  type DrawOf,
  type OpDraw,
  type ViewInstance,
} from "../../src/core/augment";
import { randomPixels } from "./pixels";

const embedded = '"dataset": { "format": "embedded", "name": "fashion-mnist-5k" }';

function parse(augment: unknown, extra = "") {
  return parseExperiment(`{ ${embedded}, ${extra} "augment": ${JSON.stringify(augment)} }`, "x.ssl.json");
}

function issuesOf(augment: unknown): Map<string, string> {
  const { config, issues } = parse(augment);
  assert.equal(config, undefined, "expected problems");
  return new Map(issues.map((i) => [i.field, i.message]));
}

/** A view of one kind holding `ops` (defaults filled), at `size`. */
function viewOf(ops: unknown[], size = 32, count = 1): ViewInstance {
  return viewInstances({ imageSize: size, method: "simclr", augment: { views: [{ name: "v", count, ops }] as never } })[0]!;
}

const ctx = (seed: number, epoch = 0, size = 32, epochs = 100) => ({ seed, epoch, epochs, srcHeight: size, srcWidth: size });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

// ---------------------------------------------------------------- config

test("defaults are filled per op: each op gets its own fields and none of another op's", () => {
  const { config, issues } = parse({ views: [{ count: 2, ops: [{ op: "randomResizedCrop" }, { op: "rotate", p: 0.3 }, { op: "hflip" }] }] });
  assert.deepEqual(issues, []);
  const [crop, rotate, flip] = config!.augment.views![0]!.ops;
  assert.deepEqual(crop, { op: "randomResizedCrop", scale: [0.08, 1], ratio: [0.75, 1.3333333] });
  assert.deepEqual(rotate, { op: "rotate", p: 0.3, degrees: [-30, 30], interpolation: "nearest", fill: 0 });
  assert.deepEqual(flip, { op: "hflip", p: 0.5 });
  assert.equal(config!.augment.views![0]!.name, "view");
});

test("policy problems name the op's field and line", () => {
  const bad = issuesOf({
    views: [
      {
        count: 2,
        ops: [{ op: "randomResizedCrop", scale: [0.9, 0.2] }, { op: "rotat" }, { op: "hflip", q: 1 }, { op: "solarize", p: 1.5 }, { op: "gaussianBlur", kernelSize: 4 }],
      },
    ],
  });
  assert.match(bad.get("augment.views.0.ops.1.op")!, /must be one of "randomResizedCrop", "hflip", .*"normalize"/);
  assert.equal(bad.get("augment.views.0.ops.2.q"), 'unknown field "q"');
  assert.match(bad.get("augment.views.0.ops.3.p")!, /less or equal to 1/);
  const semantic = issuesOf({
    views: [{ count: 2, ops: [{ op: "randomResizedCrop", scale: [0.9, 0.2] }, { op: "gaussianBlur", kernelSize: 4 }] }],
  });
  assert.equal(semantic.get("augment.views.0.ops.0.scale"), "the lower bound is above the upper bound");
  assert.equal(semantic.get("augment.views.0.ops.1.kernelSize"), "must be odd");
  const text = `{\n  ${embedded},\n  "augment": {\n    "views": [{ "count": 2, "ops": [\n      { "op": "hflip" },\n      { "op": "randomResizedCrop" }\n    ] }]\n  }\n}`;
  const order = parseExperiment(text, "x.ssl.json").issues;
  assert.equal(order[0]!.field, "augment.views.0.ops.0");
  assert.equal(order[0]!.line, 5);
  assert.match(order[0]!.message, /randomResizedCrop must come first/);
});

test("normalize must be last; simclr needs two views of one size; preset and views exclude each other", () => {
  const norm = issuesOf({ views: [{ count: 2, ops: [{ op: "normalize" }, { op: "hflip" }] }] });
  assert.equal(norm.get("augment.views.0.ops.0"), "normalize must be the last op");
  const three = issuesOf({ views: [{ count: 3, ops: [] }] });
  assert.equal(three.get("augment.views"), "simclr uses 2 views of each image; this policy makes 3");
  const sizes = issuesOf({ views: [{ name: "a", ops: [] }, { name: "b", size: 16, ops: [] }] });
  assert.match(sizes.get("augment.views")!, /views of one size; these views have sizes 32, 16/);
  const both = issuesOf({ preset: "byol", views: [{ count: 2, ops: [] }] });
  assert.match(both.get("augment.preset")!, /either a preset or views/);
  const unknown = issuesOf({ preset: "simclr2" });
  assert.match(unknown.get("augment.preset")!, /must be one of "simclr", "mocov2", "byol"/);
});

test("every preset expands to valid views; the SaliencyCut presets wait for the cache", () => {
  for (const name of AUGMENT_PRESETS) {
    const multiCrop = name === "swav" || name === "dino";
    // "crop" is the one-view policy of the pretext tasks; checked with them.
    if (name === "crop") continue;
    const method = multiCrop ? name : "simclr";
    const views = policyViews({ preset: name }, method);
    for (const v of views) assert.ok(Value.Check(ViewSchema, v), `${name}: ${JSON.stringify([...Value.Errors(ViewSchema, v)][0])}`);
    assert.equal(views.reduce((n, v) => n + v.count, 0), multiCrop ? 8 : 2, `${name}: 2 views, or 2 global + 6 local`);
    const { config, issues } = parse({ preset: name }, `"method": "${method}",`);
    assert.deepEqual(issues, [], name);
    assert.equal(config!.augment.preset, name);
  }
  // No preset = simclr; BYOL's views differ only in blur and solarize probability.
  assert.deepEqual(policyViews({}, "simclr"), policyViews({ preset: "simclr" }, "simclr"));
  assert.deepEqual(policyViews({}, "moco"), policyViews({ preset: "mocov2" }, "simclr"), "a method without a policy gets its paper's");
  // Multi-crop: 2 global views at the image size, 6 local ones at 96/224 of it; a two-view method rejects it.
  const { config: dino } = parse({}, `"method": "dino", "imageSize": 32,`);
  assert.deepEqual(viewInstances(dino!).map((v) => v.size), [32, 32, 14, 14, 14, 14, 14, 14]);
  const twoViews = parse({ preset: "dino" }).issues.filter((i) => i.field === "augment.preset").map((i) => i.message);
  assert.ok(twoViews.includes("simclr uses 2 views of each image; this policy makes 8"), twoViews.join("; "));
  const [b1, b2] = policyViews({ preset: "byol" }, "simclr");
  const p = (v: typeof b1, op: string) => (v!.ops.find((o) => o.op === op) as { p: number }).p;
  assert.deepEqual([p(b1, "gaussianBlur"), p(b2, "gaussianBlur"), p(b1, "solarize"), p(b2, "solarize")], [1, 0.1, 0, 0.2]);
  assert.equal(PRESETS["saliencycut-p0.8-jitter0.8"][0]!.ops.length, 2);
});

// ---------------------------------------------------------------- draws

test("p fires at its rate (+-2% over 5000 draws) for ops of every kind", () => {
  const N = 5000;
  for (const op of ["rotate", "solarize", "cutout", "equalize", "gaussianBlur", "vflip", "posterize", "sharpness"]) {
    for (const p of [0.3, 0.85]) {
      const view = viewOf([{ op, p }]);
      const fired = sampleViewPlans(view, range(N), ctx(11)).filter((plan) => plan.draws[0] !== null).length;
      assert.ok(Math.abs(fired / N - p) < 0.02, `${op} p=${p}: fired ${fired / N}`);
    }
    const never = sampleViewPlans(viewOf([{ op, p: 0 }]), range(500), ctx(1)).some((plan) => plan.draws[0] !== null);
    assert.equal(never, false, `${op} p=0 never fires`);
  }
});

test("explicit ranges are drawn uniformly inside [min, max]", () => {
  const N = 4000;
  const plans = sampleViewPlans(
    viewOf([
      { op: "rotate", degrees: [-10, 20] },
      { op: "brightness", factor: [0.5, 0.7] },
      { op: "posterize", bits: [2, 4] },
      { op: "gaussianBlur", p: 1, sigma: [0.5, 1.5] },
    ]),
    range(N),
    ctx(3),
  );
  const deg = plans.map((p) => (p.draws[0] as DrawOf<"rotate">).degrees);
  assert.ok(Math.min(...deg) >= -10 && Math.max(...deg) <= 20);
  assert.ok(Math.abs(deg.reduce((a, b) => a + b) / N - 5) < 0.5, "mean of U(-10, 20) is 5");
  const f = plans.map((p) => (p.draws[1] as DrawOf<"brightness">).factor);
  assert.ok(Math.min(...f) >= 0.5 && Math.max(...f) <= 0.7);
  const bits = new Map<number, number>();
  for (const p of plans) bits.set((p.draws[2] as DrawOf<"posterize">).bits, (bits.get((p.draws[2] as DrawOf<"posterize">).bits) ?? 0) + 1);
  assert.deepEqual([...bits.keys()].sort(), [2, 3, 4]);
  for (const n of bits.values()) assert.ok(Math.abs(n / N - 1 / 3) < 0.03);
  const sig = plans.map((p) => (p.draws[3] as DrawOf<"gaussianBlur">).sigma);
  assert.ok(Math.min(...sig) >= 0.5 && Math.max(...sig) <= 1.5);
});

test("magnitudes map 0-30 onto each op's strongest setting, with a random sign for signed ops", () => {
  const m = 15;
  const plans = sampleViewPlans(
    viewOf([
      { op: "rotate", magnitude: m },
      { op: "shearX", magnitude: m },
      { op: "translateY", magnitude: m },
      { op: "contrast", magnitude: m },
      { op: "solarize", magnitude: m },
      { op: "posterize", magnitude: m },
      { op: "cutout", magnitude: m },
    ]),
    range(2000),
    ctx(5),
  );
  const values = (k: number, f: (d: OpDraw) => number) => new Set(plans.map((p) => f(p.draws[k]!)));
  assert.deepEqual([...values(0, (d) => (d as DrawOf<"rotate">).degrees)].sort(), [-15, 15]);
  assert.deepEqual([...values(1, (d) => (d as DrawOf<"shearX">).shear)].sort(), [-0.15, 0.15]);
  // 150/331 of 32 px at half strength, truncated to whole pixels: 7.
  assert.deepEqual([...values(2, (d) => (d as DrawOf<"translateY">).pixels)].sort(), [-7, 7]);
  assert.deepEqual([...values(3, (d) => (d as DrawOf<"contrast">).factor)].sort(), [0.55, 1.45]);
  assert.deepEqual([...values(4, (d) => (d as DrawOf<"solarize">).threshold)], [0.5]);
  assert.deepEqual([...values(5, (d) => (d as DrawOf<"posterize">).bits)], [6]);
  // Cutout: a square of a quarter of the side (8 px), clipped at the borders.
  for (const p of plans) {
    const c = p.draws[6] as DrawOf<"cutout">;
    assert.ok(c.height <= 8 && c.width <= 8 && c.height >= 4 && c.width >= 4, JSON.stringify(c));
    assert.ok(c.top >= 0 && c.left >= 0 && c.top + c.height <= 32 && c.left + c.width <= 32);
  }
});

test("RandAugment draws N ops uniformly from its set at one magnitude, ramped over the epochs", () => {
  const view = viewOf([{ op: "randAugment", n: 3, magnitude: 4, magnitudeEnd: 11 }]);
  const counts = new Map<string, number>();
  const N = 3000;
  for (const plan of sampleViewPlans(view, range(N), ctx(2, 0, 32, 8))) {
    const d = plan.draws[0] as DrawOf<"randAugment">;
    assert.equal(d.ops.length, 3);
    assert.equal(d.magnitude, 4);
    for (const o of d.ops) counts.set(o.op, (counts.get(o.op) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort(), [...RANDAUGMENT_OPS].sort());
  const expected = (3 * N) / RANDAUGMENT_OPS.length;
  for (const [op, n] of counts) assert.ok(Math.abs(n - expected) < expected * 0.15, `${op}: ${n} vs ${expected}`);
  const at = (epoch: number) => (sampleViewPlan(view, 0, ctx(2, epoch, 32, 8)).draws[0] as DrawOf<"randAugment">).magnitude;
  assert.deepEqual([at(0), at(7), at(20)], [4, 11, 11]);
  assert.ok(Math.abs(at(3) - (4 + (7 * 3) / 7)) < 1e-12);
  // A restricted set draws only from it.
  const only = viewOf([{ op: "randAugment", n: 2, ops: ["invert", "equalize"] }]);
  for (const plan of sampleViewPlans(only, range(200), ctx(4))) {
    for (const o of (plan.draws[0] as DrawOf<"randAugment">).ops) assert.ok(o.op === "invert" || o.op === "equalize");
  }
});

// ---------------------------------------------------------------- pixels

const EVERY_OP: unknown[] = [
  { op: "randomResizedCrop", scale: [0.3, 1] },
  { op: "hflip" },
  { op: "vflip" },
  { op: "rotate", p: 0.5 },
  { op: "shearX", p: 0.5 },
  { op: "shearY", p: 0.5, interpolation: "bilinear" },
  { op: "translateX", p: 0.5 },
  { op: "translateY", p: 0.5 },
  { op: "colorJitter" },
  { op: "brightness", p: 0.5 },
  { op: "contrast", p: 0.5 },
  { op: "saturation", p: 0.5 },
  { op: "sharpness", p: 0.5 },
  { op: "grayscale" },
  { op: "gaussianBlur" },
  { op: "solarize", p: 0.3 },
  { op: "posterize", p: 0.3 },
  { op: "equalize", p: 0.3 },
  { op: "autoContrast", p: 0.3 },
  { op: "invert", p: 0.2 },
  { op: "cutout", p: 0.5 },
  { op: "randAugment", p: 0.5 },
];

test("every op runs through applyView: shape, range, wasm = cpu, no leaked tensors; normalize only when asked", async () => {
  for (const channels of [3, 1]) {
    const B = 12;
    const src = 20;
    const view = viewOf([...EVERY_OP, { op: "normalize", mean: [0.5], std: [0.25] }], 16);
    const plans = sampleViewPlans(view, range(B), ctx(21, 0, src));
    const px = randomPixels(B * src * src * channels, 7);
    const out: Record<string, Float32Array> = {};
    for (const backend of ["cpu", "wasm"]) {
      assert.ok(await tf.setBackend(backend));
      const x = tf.tensor4d(px, [B, src, src, channels]);
      const before = tf.memory().numTensors;
      const shown = applyView(x, view, plans, { normalize: false });
      const fed = applyView(x, view, plans);
      assert.deepEqual(shown.shape, [B, 16, 16, channels]);
      const s = (await shown.data()) as Float32Array;
      const f = (await fed.data()) as Float32Array;
      assert.ok(s.every((v) => v >= 0 && v <= 1), "display pixels in [0, 1]");
      for (let i = 0; i < s.length; i++) assert.ok(Math.abs(f[i]! - (s[i]! - 0.5) / 0.25) < 1e-5, "normalize");
      shown.dispose();
      fed.dispose();
      assert.equal(tf.memory().numTensors, before, `${backend}: leaked tensors`);
      x.dispose();
      out[backend] = s;
    }
    // Nearest-neighbour resampling and posterize/equalize/solarize thresholds can flip
    // on float32 rounding differences; all but a handful of values must agree closely.
    let off = 0;
    for (let i = 0; i < out.cpu!.length; i++) if (Math.abs(out.cpu![i]! - out.wasm![i]!) > 1e-4) off++;
    assert.ok(off <= out.cpu!.length * 0.002, `${channels} channels: ${off} of ${out.cpu!.length} values differ between cpu and wasm`);
  }
  await tf.setBackend("cpu");
});

test("an op that does not fire leaves the pixels exactly as they were", async () => {
  await tf.setBackend("cpu");
  const ops = EVERY_OP.slice(1).map((o) => ({ ...(o as object), p: 0 }));
  const view = viewOf(ops as OpSpec[], 20);
  const px = randomPixels(4 * 20 * 20 * 3, 2);
  const x = tf.tensor4d(px, [4, 20, 20, 3]);
  const y = applyView(x, view, sampleViewPlans(view, range(4), ctx(1, 0, 20)));
  assert.deepEqual(Array.from(await y.data()), Array.from(px));
  x.dispose();
  y.dispose();
});
