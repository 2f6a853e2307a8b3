// Every loss against its PyTorch reference: loss value and gradients with
// respect to each input listed in the fixture's `grads`, relative error < 1e-4;
// DINO's center update; exact-zero gradients through every stop-gradient; the
// same loss values on the wasm backend.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { losses } from "../../src/lib";

type Nested = number | Nested[];

interface Fixture {
  method: string;
  definition: string;
  params: Record<string, number>;
  inputs: Record<string, Nested[]>;
  loss: number;
  grads: Record<string, Nested[]>;
  centerAfter?: number[];
}

type LossFn = (inputs: Record<string, tf.Tensor>, params: Record<string, number>) => tf.Scalar;

const dir = path.join(__dirname, "..", "fixtures", "losses");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
const methods = ["ntxent", "moco", "byol", "simsiam", "barlowtwins", "vicreg", "swav", "dino"];

function load(method: string): Fixture {
  return JSON.parse(fs.readFileSync(path.join(dir, `${method}.json`), "utf8")) as Fixture;
}

function lossFn(method: string): LossFn {
  const fn = (losses as unknown as Record<string, LossFn>)[method];
  assert.ok(fn, `lib.losses has no "${method}"`);
  return fn;
}

function tensors(fx: Fixture): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, tf.tensor(v as number[])]));
}

/** Gradients of the loss with respect to the named inputs, the others held fixed. */
function gradsOf(fn: LossFn, inputs: Record<string, tf.Tensor>, params: Record<string, number>, names: string[]): tf.Tensor[] {
  return tf.grads((...xs: tf.Tensor[]) => {
    const named = { ...inputs };
    names.forEach((n, i) => (named[n] = xs[i]!));
    return fn(named, params);
  })(names.map((n) => inputs[n]!));
}

function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

test("there is a fixture for every SSL loss", () => {
  for (const method of methods) {
    assert.ok(files.includes(`${method}.json`), `no fixture ${method}.json`);
    assert.equal(load(method).method, method);
  }
});

for (const file of files) {
  test(`loss ${file} matches the PyTorch reference`, async (t) => {
    await tf.setBackend("cpu");
    const fx = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Fixture;
    const fn = lossFn(fx.method);
    const inputs = tensors(fx);
    const gradNames = Object.keys(fx.grads);
    const loss = fn(inputs, fx.params);
    assert.deepEqual(loss.shape, []);
    const value = (await loss.data())[0]!;
    const lossErr = Math.abs(value - fx.loss) / Math.abs(fx.loss);
    t.diagnostic(`${fx.method}: loss ${value} vs ${fx.loss}, relative error ${lossErr.toExponential(2)}`);
    assert.ok(lossErr < 1e-4, `loss ${value} vs reference ${fx.loss}`);
    const grads = gradsOf(fn, inputs, fx.params, gradNames);
    for (const [i, name] of gradNames.entries()) {
      assert.deepEqual(grads[i]!.shape, inputs[name]!.shape);
      const err = relError(await grads[i]!.data(), (fx.grads[name]! as number[]).flat(Infinity) as number[]);
      t.diagnostic(`${fx.method}: gradient of ${name}, relative error ${err.toExponential(2)}`);
      assert.ok(err < 1e-4, `gradient of ${name}: relative error ${err}`);
    }
    tf.dispose([loss, ...grads, ...Object.values(inputs)]);
  });
}

test("dinoCenter matches the reference center after one update", async () => {
  await tf.setBackend("cpu");
  const fx = load("dino");
  assert.ok(fx.centerAfter, "dino.json has no centerAfter");
  const inputs = tensors(fx);
  const center = losses.dinoCenter(
    { teacher: inputs.teacher as tf.Tensor3D, center: inputs.center as tf.Tensor1D },
    { centerMomentum: fx.params.centerMomentum! },
  );
  assert.deepEqual(center.shape, [fx.centerAfter.length]);
  const err = relError(await center.data(), fx.centerAfter);
  assert.ok(err < 1e-5, `centerAfter: relative error ${err}`);
  tf.dispose([center, ...Object.values(inputs)]);
});

// Inputs the reference detaches: their gradient must be exactly zero, not just small.
const detachedInputs: [string, string[]][] = [
  ["byol", ["t1", "t2"]],
  ["simsiam", ["z1", "z2"]],
  ["moco", ["k", "queue"]],
  ["dino", ["teacher", "center"]],
];

for (const [method, names] of detachedInputs) {
  test(`${method}: no gradient reaches ${names.join(", ")} (stop-gradient)`, async () => {
    await tf.setBackend("cpu");
    const fx = load(method);
    const inputs = tensors(fx);
    const grads = gradsOf(lossFn(method), inputs, fx.params, names);
    for (const [i, name] of names.entries()) {
      assert.deepEqual(grads[i]!.shape, inputs[name]!.shape);
      const data = await grads[i]!.data();
      assert.ok(data.every((g) => g === 0), `gradient of ${name} is not exactly zero`);
    }
    tf.dispose([...grads, ...Object.values(inputs)]);
  });
}

test("sinkhorn codes: each sample's codes sum to 1, and no gradient reaches the scores", async () => {
  await tf.setBackend("cpu");
  const scores = tf.tensor2d([[0.9, 0.1, -0.3], [0.2, 0.8, 0.0], [0.5, 0.4, -0.9], [-0.2, 0.3, 0.7]]);
  const codes = losses.sinkhorn(scores, 0.05, 3);
  assert.deepEqual(codes.shape, [4, 3]);
  for (const s of await tf.sum(codes, 1).data()) assert.ok(Math.abs(s - 1) < 1e-5, `row sum ${s}`);
  const [g] = tf.grads((s: tf.Tensor) => tf.sum(tf.mul(losses.sinkhorn(s as tf.Tensor2D, 0.05, 3), s)))([scores]);
  // d/ds sum(q * s) with q detached is q itself.
  assert.ok(relError(await g!.data(), await codes.data()) < 1e-6);
});

test("every loss gives the same value and gradients on the wasm backend as on cpu, and leaks no tensors", async (t) => {
  for (const method of methods) {
    const fx = load(method);
    const gradNames = Object.keys(fx.grads);
    const results: { loss: number; grads: Float32Array[] }[] = [];
    for (const backend of ["cpu", "wasm"]) {
      assert.ok(await tf.setBackend(backend), `${backend} backend failed to initialise`);
      const inputs = tensors(fx);
      const before = tf.memory().numTensors;
      const loss = lossFn(method)(inputs, fx.params);
      const grads = gradsOf(lossFn(method), inputs, fx.params, gradNames);
      results.push({ loss: (await loss.data())[0]!, grads: await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)) });
      tf.dispose([loss, ...grads]);
      assert.equal(tf.memory().numTensors, before, `${method} on ${backend}: tensors leaked`);
      tf.dispose(Object.values(inputs));
    }
    const [cpu, wasm] = results as [(typeof results)[0], (typeof results)[0]];
    const err = Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss);
    const gradErrs = gradNames.map((_, i) => relError(wasm.grads[i]!, cpu.grads[i]!));
    t.diagnostic(`${method}: wasm vs cpu loss ${err.toExponential(2)}, gradients ${gradErrs.map((e) => e.toExponential(2)).join(", ")}`);
    assert.ok(err < 1e-4, `${method}: wasm ${wasm.loss} vs cpu ${cpu.loss}`);
    gradErrs.forEach((e, i) => assert.ok(e < 1e-4, `${method}: gradient of ${gradNames[i]} on wasm vs cpu: relative error ${e}`));
  }
  await tf.setBackend("cpu");
});
