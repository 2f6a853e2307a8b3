/**
 * Optimisers and learning-rate schedule. Expected values come from plain-JS
 * (float64) implementations of the PyTorch / SimCLR formulas written out
 * below, not from the code under test; tf runs in float32, hence the
 * tolerances.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import type { Param } from "../../src/core/models/params";
import { createOptimizer, learningRate, peakLearningRate, type OptimizerKind } from "../../src/core/optim";

before(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

// ---------------------------------------------------------------- helpers

function param(name: string, values: number[], shape: number[], decay: boolean): Param {
  const init = tf.tensor(values, shape, "float32");
  const variable = tf.variable(init, true);
  init.dispose();
  return { name, variable, decay };
}

function disposeParams(params: Param[]): void {
  for (const p of params) p.variable.dispose();
}

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function assertClose(actual: number[], expected: number[], what: string, rtol = 1e-5, atol = 1e-7): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    assert.ok(Number.isFinite(a), `${what}[${i}]: got ${a}`);
    assert.ok(Math.abs(a - e) <= atol + rtol * Math.abs(e), `${what}[${i}]: got ${a}, expected ${e} (diff ${a - e})`);
  }
}

function gradMap(entries: [string, number[], number[]][]): Map<string, tf.Tensor> {
  return new Map(entries.map(([name, vals, shape]) => [name, tf.tensor(vals, shape, "float32")]));
}

function disposeGrads(g: Map<string, tf.Tensor>): void {
  for (const t of g.values()) t.dispose();
}

const norm = (x: number[]): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

// ------------------------------------------------- float64 reference rules

interface RefState {
  w: number[];
  buf: number[];
}

/** torch.optim.SGD(momentum=m, weight_decay=wd), dampening 0, no Nesterov. */
function refSgdStep(s: RefState, grad: number[], lr: number, m: number, wd: number, decay: boolean): void {
  const g = grad.map((gi, i) => gi + (decay ? wd * s.w[i]! : 0));
  s.buf = s.buf.map((b, i) => m * b + g[i]!);
  s.w = s.w.map((wi, i) => wi - lr * s.buf[i]!);
}

/** PyTorch-style LARS (SimCLR/Barlow Twins): decay + trust ratio only for decay params. */
function refLarsStep(s: RefState, grad: number[], lr: number, m: number, wd: number, decay: boolean, eta: number): void {
  let g = grad.slice();
  if (decay) {
    g = g.map((gi, i) => gi + wd * s.w[i]!);
    const wn = norm(s.w);
    const gn = norm(g);
    const q = wn > 0 && gn > 0 ? (eta * wn) / gn : 1;
    g = g.map((gi) => gi * q);
  }
  s.buf = s.buf.map((b, i) => m * b + g[i]!);
  s.w = s.w.map((wi, i) => wi - lr * s.buf[i]!);
}

interface RefAdam {
  w: number[];
  m: number[];
  v: number[];
  t: number;
}

/** torch.optim.Adam(betas=(b1, b2), eps, weight_decay=wd) (L2 added to the gradient). */
function refAdamStep(s: RefAdam, grad: number[], lr: number, b1: number, b2: number, eps: number, wd: number, decay: boolean): void {
  s.t += 1;
  const g = grad.map((gi, i) => gi + (decay ? wd * s.w[i]! : 0));
  s.m = s.m.map((mi, i) => b1 * mi + (1 - b1) * g[i]!);
  s.v = s.v.map((vi, i) => b2 * vi + (1 - b2) * g[i]! * g[i]!);
  const bc1 = 1 - b1 ** s.t;
  const bc2 = 1 - b2 ** s.t;
  const stepSize = lr / bc1;
  s.w = s.w.map((wi, i) => wi - (stepSize * s.m[i]!) / (Math.sqrt(s.v[i]!) / Math.sqrt(bc2) + eps));
}

// Tiny problem shared by the optimiser tests: a 2x2 "kernel" (decay) and a bias (no decay).
const W0 = [0.5, -1.25, 2.0, 0.75];
const B0 = [0.1, -0.2];
const GRADS_W = [
  [0.3, -0.1, 0.25, -0.6],
  [-0.2, 0.4, 0.1, 0.05],
  [0.15, 0.15, -0.35, 0.2],
];
const GRADS_B = [
  [0.5, -0.25],
  [-0.125, 0.3],
  [0.2, 0.1],
];
// Varying rates so "lr inside vs outside the momentum buffer" would show.
const LRS = [0.5, 0.2, 0.8];

function makeProblem(): Param[] {
  return [param("enc.kernel", W0, [2, 2], true), param("enc.bias", B0, [2], false)];
}

function gradsAt(i: number): Map<string, tf.Tensor> {
  return gradMap([
    ["enc.kernel", GRADS_W[i]!, [2, 2]],
    ["enc.bias", GRADS_B[i]!, [2]],
  ]);
}

// ------------------------------------------------------------------- SGD

test("sgd matches PyTorch SGD with momentum and weight decay (decay params only) over 3 steps", () => {
  const m = 0.9;
  const wd = 0.1;
  const params = makeProblem();
  const opt = createOptimizer("sgd", { momentum: m, weightDecay: wd });
  const refW: RefState = { w: W0.slice(), buf: [0, 0, 0, 0] };
  const refB: RefState = { w: B0.slice(), buf: [0, 0] };
  for (let i = 0; i < 3; i++) {
    const g = gradsAt(i);
    opt.step(params, g, LRS[i]!);
    disposeGrads(g);
    refSgdStep(refW, GRADS_W[i]!, LRS[i]!, m, wd, true);
    refSgdStep(refB, GRADS_B[i]!, LRS[i]!, m, wd, false);
    assertClose(values(params[0]!.variable), refW.w, `kernel step ${i}`);
    assertClose(values(params[1]!.variable), refB.w, `bias step ${i}`);
  }
  assert.equal(opt.stepCount, 3);
  const slots = new Map(opt.slots().map((s) => [s.name, values(s.tensor)]));
  assert.deepEqual([...slots.keys()], ["enc.kernel/momentum", "enc.bias/momentum"]);
  assertClose(slots.get("enc.kernel/momentum")!, refW.buf, "kernel momentum");
  assertClose(slots.get("enc.bias/momentum")!, refB.buf, "bias momentum");
  // Spot-check the first step by hand: buf = g + wd*w, w1 = w0 - lr*buf.
  const hand = W0[0]! - 0.5 * (0.3 + 0.1 * W0[0]!);
  const fresh = makeProblem();
  const opt2 = createOptimizer("sgd", { momentum: m, weightDecay: wd });
  const g0 = gradsAt(0);
  opt2.step(fresh, g0, 0.5);
  disposeGrads(g0);
  assertClose([values(fresh[0]!.variable)[0]!], [hand], "hand-computed first step");
  opt.dispose();
  opt2.dispose();
  disposeParams([...params, ...fresh]);
});

// ------------------------------------------------------------------ LARS

test("lars matches PyTorch-style LARS (eta 0.001) over 3 steps; bias gets neither decay nor adaptation", () => {
  const m = 0.9;
  const wd = 0.1;
  const eta = 0.001;
  const bigLrs = LRS.map((l) => l * 100); // trust ratios ~1e-3, so use large rates to make updates visible
  const params = makeProblem();
  const opt = createOptimizer("lars", { momentum: m, weightDecay: wd });
  const refW: RefState = { w: W0.slice(), buf: [0, 0, 0, 0] };
  const refB: RefState = { w: B0.slice(), buf: [0, 0] };
  for (let i = 0; i < 3; i++) {
    const g = gradsAt(i);
    opt.step(params, g, bigLrs[i]!);
    disposeGrads(g);
    refLarsStep(refW, GRADS_W[i]!, bigLrs[i]!, m, wd, true, eta);
    refLarsStep(refB, GRADS_B[i]!, bigLrs[i]!, m, wd, false, eta);
    assertClose(values(params[0]!.variable), refW.w, `kernel step ${i}`);
    assertClose(values(params[1]!.variable), refB.w, `bias step ${i}`);
  }
  const slots = new Map(opt.slots().map((s) => [s.name, values(s.tensor)]));
  assertClose(slots.get("enc.kernel/momentum")!, refW.buf, "kernel momentum");
  assertClose(slots.get("enc.bias/momentum")!, refB.buf, "bias momentum");
  opt.dispose();
  disposeParams(params);
});

test("lars on a decay=false param is plain momentum SGD without weight decay", () => {
  const m = 0.9;
  const wd = 0.5;
  const p = [param("bn.gamma", [1, 2, 3], [3], false)];
  const opt = createOptimizer("lars", { momentum: m, weightDecay: wd });
  const ref: RefState = { w: [1, 2, 3], buf: [0, 0, 0] };
  const gs = [
    [0.1, -0.2, 0.3],
    [0.05, 0.05, -0.1],
  ];
  for (let i = 0; i < 2; i++) {
    const g = gradMap([["bn.gamma", gs[i]!, [3]]]);
    opt.step(p, g, 0.1);
    disposeGrads(g);
    refSgdStep(ref, gs[i]!, 0.1, m, 0, false);
  }
  assertClose(values(p[0]!.variable), ref.w, "gamma");
  // First step by hand: w = w0 - lr*grad exactly (no 1e-3 trust ratio, no decay).
  assertClose([ref.w[0]!], [1 - 0.1 * 0.1 - 0.1 * (0.9 * 0.1 + 0.05)], "hand check of the reference");
  opt.dispose();
  disposeParams(p);
});

test("lars trust ratio is 1 when ||w|| or ||g|| is 0, and nothing becomes NaN", () => {
  const m = 0.9;
  // ||w|| = 0 (decay param): g = grad + wd*0, q = 1 -> w1 = -lr*grad.
  const zeroW = [param("zero.kernel", [0, 0, 0, 0], [4], true)];
  const opt = createOptimizer("lars", { momentum: m, weightDecay: 0.1 });
  let g = gradMap([["zero.kernel", [0.5, -1, 2, 0], [4]]]);
  opt.step(zeroW, g, 0.1);
  disposeGrads(g);
  assertClose(values(zeroW[0]!.variable), [-0.05, 0.1, -0.2, 0], "zero weights, q = 1");

  // ||g|| = 0 (grad 0 and no weight decay): q = 1, weights unchanged, no NaN.
  const w = [param("w.kernel", [1, -2, 3, 0.5], [4], true)];
  const opt2 = createOptimizer("lars", { momentum: m, weightDecay: 0 });
  g = gradMap([["w.kernel", [0, 0, 0, 0], [4]]]);
  opt2.step(w, g, 0.1);
  disposeGrads(g);
  assert.deepEqual(values(w[0]!.variable), [1, -2, 3, 0.5]);
  assert.deepEqual(values(opt2.slots()[0]!.tensor), [0, 0, 0, 0]);

  // Both zero: stays zero.
  const both = [param("both.kernel", [0, 0], [2], true)];
  g = gradMap([["both.kernel", [0, 0], [2]]]);
  opt2.step(both, g, 0.1);
  disposeGrads(g);
  assert.deepEqual(values(both[0]!.variable), [0, 0]);

  // Non-zero norms for contrast: q = eta*||w||/||g|| with weight decay in g.
  const w3 = [param("w3.kernel", [3, 4], [2], true)]; // ||w|| = 5
  const opt3 = createOptimizer("lars", { momentum: 0, weightDecay: 0 });
  g = gradMap([["w3.kernel", [0, 2], [2]]]); // ||g|| = 2 -> q = 0.001 * 5 / 2 = 0.0025
  opt3.step(w3, g, 10);
  disposeGrads(g);
  assertClose(values(w3[0]!.variable), [3, 4 - 10 * 0.0025 * 2], "q = eta*||w||/||g||");
  for (const o of [opt, opt2, opt3]) o.dispose();
  disposeParams([...zeroW, ...w, ...both, ...w3]);
});

// ------------------------------------------------------------------ Adam

test("adam matches PyTorch Adam (bias correction, L2 decay on decay params) over 3 steps", () => {
  const b1 = 0.9;
  const wd = 0.05;
  const params = makeProblem();
  const opt = createOptimizer("adam", { momentum: b1, weightDecay: wd });
  const refW: RefAdam = { w: W0.slice(), m: [0, 0, 0, 0], v: [0, 0, 0, 0], t: 0 };
  const refB: RefAdam = { w: B0.slice(), m: [0, 0], v: [0, 0], t: 0 };
  const lrs = [0.01, 0.02, 0.005];
  for (let i = 0; i < 3; i++) {
    const g = gradsAt(i);
    opt.step(params, g, lrs[i]!);
    disposeGrads(g);
    refAdamStep(refW, GRADS_W[i]!, lrs[i]!, b1, 0.999, 1e-8, wd, true);
    refAdamStep(refB, GRADS_B[i]!, lrs[i]!, b1, 0.999, 1e-8, wd, false);
    assertClose(values(params[0]!.variable), refW.w, `kernel step ${i}`, 1e-6);
    assertClose(values(params[1]!.variable), refB.w, `bias step ${i}`, 1e-6);
  }
  const slots = new Map(opt.slots().map((s) => [s.name, values(s.tensor)]));
  assert.deepEqual([...slots.keys()].sort(), ["enc.bias/m", "enc.bias/v", "enc.kernel/m", "enc.kernel/v"]);
  assertClose(slots.get("enc.kernel/m")!, refW.m, "kernel m");
  assertClose(slots.get("enc.kernel/v")!, refW.v, "kernel v");
  assertClose(slots.get("enc.bias/v")!, refB.v, "bias v");
  // First Adam step moves each weight by ~lr*sign(g) (bias-corrected m/sqrt(v) = g/|g|).
  const fresh = makeProblem();
  const opt2 = createOptimizer("adam", { momentum: b1, weightDecay: 0 });
  const g0 = gradsAt(0);
  opt2.step(fresh, g0, 0.01);
  disposeGrads(g0);
  assertClose(values(fresh[1]!.variable), [0.1 - 0.01, -0.2 + 0.01], "first step = lr*sign(g)", 1e-6);
  opt.dispose();
  opt2.dispose();
  disposeParams([...params, ...fresh]);
});

// --------------------------------------------------------------- general

test("gradients can be a Record keyed by tf variable name (tf.variableGrads output); missing grads skip the param", () => {
  const params = makeProblem();
  const opt = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
  const kernel = params[0]!.variable;
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(kernel)) as tf.Scalar, [kernel]);
  value.dispose();
  assert.ok(grads[kernel.name] !== undefined);
  opt.step(params, grads, 0.1);
  for (const t of Object.values(grads)) t.dispose();
  // d/dw sum(w^2) = 2w -> w1 = w0 - 0.1*2*w0 = 0.8*w0
  assertClose(values(kernel), W0.map((w) => 0.8 * w), "kernel via variable-name key");
  assert.deepEqual(values(params[1]!.variable), Array.from(Float32Array.from(B0)), "bias without grad unchanged");
  assert.deepEqual(
    opt.slots().map((s) => s.name),
    ["enc.kernel/momentum"],
  );
  assert.ok(opt.slots().every((s) => !(s.tensor as tf.Variable).trainable), "slots are not trainable");
  opt.dispose();
  disposeParams(params);
});

test("shape mismatches are rejected", () => {
  const params = makeProblem();
  const opt = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
  const bad = gradMap([["enc.kernel", [1, 2, 3], [3]]]);
  assert.throws(() => opt.step(params, bad, 0.1), /shape/);
  disposeGrads(bad);
  opt.loadSlots([{ name: "enc.kernel/momentum", values: new Float32Array(3), shape: [3] }]);
  const g = gradsAt(0);
  assert.throws(() => opt.step(params, g, 0.1), /slot enc\.kernel\/momentum has shape/);
  disposeGrads(g);
  assert.throws(() => opt.loadSlots([{ name: "enc.kernel/momentum", values: new Float32Array(3), shape: [2, 2] }]), /values/);
  assert.throws(() => opt.loadSlots([{ name: "enc.kernel/m", values: new Float32Array(4), shape: [2, 2] }]), /not a sgd slot/);
  assert.throws(() => createOptimizer("adam", { momentum: 1, weightDecay: 0 }), /beta1/);
  assert.throws(() => createOptimizer("sgd", { momentum: 0.9, weightDecay: -1 }), /weightDecay/);
  opt.dispose();
  disposeParams(params);
});

for (const kind of ["sgd", "lars", "adam"] as OptimizerKind[]) {
  test(`${kind}: slots round-trip — resume after 3 steps equals continuing, bit for bit`, async () => {
    const opts = { momentum: 0.9, weightDecay: 0.01 };
    const lr = kind === "lars" ? 5 : kind === "adam" ? 0.01 : 0.1;
    const a = makeProblem();
    const optA = createOptimizer(kind, opts);
    for (let i = 0; i < 3; i++) {
      const g = gradsAt(i);
      optA.step(a, g, lr);
      disposeGrads(g);
    }
    const saved = await optA.exportSlots();
    const savedStep = optA.stepCount;
    assert.equal(savedStep, 3);
    assert.equal(saved.length, kind === "adam" ? 4 : 2);
    // Fresh params with A's current values, fresh optimiser with the saved slots.
    const b = a.map((p) => param(p.name, values(p.variable), [...p.variable.shape], p.decay));
    const optB = createOptimizer(kind, opts);
    optB.loadSlots(saved, savedStep);
    assert.equal(optB.stepCount, 3);
    // Control: a fresh optimiser without the slots must diverge, so the comparison means something.
    const c = a.map((p) => param(p.name, values(p.variable), [...p.variable.shape], p.decay));
    const optC = createOptimizer(kind, opts);

    const g = gradsAt(1);
    optA.step(a, g, lr);
    optB.step(b, g, lr);
    optC.step(c, g, lr);
    disposeGrads(g);
    for (let i = 0; i < a.length; i++) {
      const va = a[i]!.variable.dataSync() as Float32Array;
      const vb = b[i]!.variable.dataSync() as Float32Array;
      assert.deepEqual(new Uint32Array(vb.buffer.slice(0)), new Uint32Array(va.buffer.slice(0)), `${a[i]!.name} bits`);
    }
    const slotsA = optA.slots();
    const slotsB = new Map(optB.slots().map((s) => [s.name, s.tensor]));
    for (const s of slotsA) {
      assert.deepEqual(values(slotsB.get(s.name)!), values(s.tensor), `slot ${s.name}`);
    }
    assert.notDeepEqual(values(c[0]!.variable), values(a[0]!.variable), "control without slots differs");
    for (const o of [optA, optB, optC]) o.dispose();
    disposeParams([...a, ...b, ...c]);
  });
}

for (const kind of ["sgd", "lars", "adam"] as OptimizerKind[]) {
  test(`${kind}: no tensor leaks (steps, export/load, dispose)`, async () => {
    const before0 = tf.memory().numTensors;
    const params = makeProblem();
    const opt = createOptimizer(kind, { momentum: 0.9, weightDecay: 0.01 });
    const g0 = gradsAt(0);
    opt.step(params, g0, 0.1);
    disposeGrads(g0);
    const nSlots = kind === "adam" ? 4 : 2;
    assert.equal(tf.memory().numTensors, before0 + params.length + nSlots, "params + slots only");
    const after1 = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const g = gradsAt(i % 3);
      opt.step(params, g, 0.1);
      disposeGrads(g);
    }
    assert.equal(tf.memory().numTensors, after1, "steady state after more steps");
    const saved = await opt.exportSlots();
    opt.loadSlots(saved, opt.stepCount);
    assert.equal(tf.memory().numTensors, after1, "loadSlots replaces, not adds");
    opt.dispose();
    disposeParams(params);
    assert.equal(tf.memory().numTensors, before0, "all released");
  });
}

// -------------------------------------------------------------- schedule

test("schedule: batch scaling, linear warm-up from peak/warmupSteps to peak, cosine to 0", () => {
  const opts = { baseLr: 0.3, batchSize: 512, warmupSteps: 10, totalSteps: 110 };
  const peak = 0.3 * 512 / 256;
  assert.equal(peakLearningRate(0.3, 512), peak);
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);
  // Warm-up: (step + 1) / warmupSteps * peak.
  close(learningRate(0, opts), peak / 10, "warm-up start");
  close(learningRate(4, opts), peak * 0.5, "warm-up middle");
  close(learningRate(9, opts), peak, "end of warm-up");
  for (let s = 1; s < 10; s++) assert.ok(learningRate(s, opts) > learningRate(s - 1, opts), `increasing at ${s}`);
  // Cosine.
  close(learningRate(10, opts), peak, "cosine start");
  close(learningRate(60, opts), peak / 2, "cosine middle");
  close(learningRate(35, opts), peak * 0.5 * (1 + Math.cos(Math.PI / 4)), "cosine quarter");
  for (let s = 11; s <= 110; s++) assert.ok(learningRate(s, opts) < learningRate(s - 1, opts), `decreasing at ${s}`);
  assert.ok(learningRate(109, opts) > 0, "last update still positive");
  assert.equal(learningRate(110, opts), 0);
  assert.equal(learningRate(1000, opts), 0);
  // Batch scaling.
  close(learningRate(9, { ...opts, batchSize: 256 }), 0.3, "batch 256 -> base lr");
  close(learningRate(9, { ...opts, batchSize: 128 }), 0.15, "batch 128 -> half");
  // No warm-up: starts at the peak.
  close(learningRate(0, { ...opts, warmupSteps: 0 }), peak, "no warm-up");
  close(learningRate(55, { ...opts, warmupSteps: 0, totalSteps: 110 }), peak / 2, "no warm-up, middle");
  // Warm-up longer than the run: all warm-up.
  close(learningRate(4, { ...opts, warmupSteps: 10, totalSteps: 5 }), peak / 2, "all warm-up");
  assert.throws(() => learningRate(-1, opts), RangeError);
  assert.throws(() => learningRate(0, { ...opts, batchSize: 0 }), RangeError);
});
