// The wasm conv2d gradient kernels against the plain JS cpu backend, through
// tf.grads/tf.variableGrads as the trainer uses them; plus registration and
// leak checks.
import { test, before } from "node:test";
import * as assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { registerWasmConvGradients } from "../../src/core/backend/wasmConvGrads";

type Pad = "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  outC: number;
  strides: number | [number, number];
  pad: Pad;
}

// Captured before registration: the stock naive-loop kernel we must replace.
const stockBackpropInput = tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc;

before(async () => {
  registerWasmConvGradients();
  assert.ok(await tf.setBackend("wasm"), "wasm backend failed to initialise");
});

function random(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32 - 0.5;
  }
  return out;
}

function relError(actual: Float32Array, expected: Float32Array): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  assert.ok(scale > 0, "reference gradient is all zeros: the case tests nothing");
  return diff / scale;
}

/** dL/dx and dL/dW of L = sum(conv2d(x, W) * R) on the current backend. */
function convGrads(c: Case, seed: number): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const [, , , inC] = c.x;
    const wShape = [c.k[0], c.k[1], inC, c.outC] as [number, number, number, number];
    const x = tf.tensor4d(random(tf.util.sizeFromShape(c.x), seed), c.x);
    const w = tf.tensor4d(random(tf.util.sizeFromShape(wShape), seed + 1), wShape);
    const outShape = tf.conv2d(x, w, c.strides, c.pad).shape;
    const r = tf.tensor(random(tf.util.sizeFromShape(outShape), seed + 2), outShape);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r));
    const [dx, dw] = tf.grads(loss)([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

async function compare(c: Case, seed: number): Promise<void> {
  await tf.setBackend("cpu");
  const ref = convGrads(c, seed);
  await tf.setBackend("wasm");
  const got = convGrads(c, seed);
  const label = JSON.stringify(c);
  const ex = relError(got.dx, ref.dx);
  const ew = relError(got.dw, ref.dw);
  assert.ok(ex < 1e-4, `input gradient rel. error ${ex} for ${label}`);
  assert.ok(ew < 1e-4, `filter gradient rel. error ${ew} for ${label}`);
}

const channels: Array<[number, number]> = [[1, 4], [3, 8], [5, 2], [8, 16]];
const grid: Case[] = [];
for (const strides of [1, 2])
  for (const pad of ["same", "valid"] as const)
    for (const size of [7, 8])
      for (const k of [1, 3]) {
        const [inC, outC] = channels[grid.length % channels.length]!;
        grid.push({ x: [3, size, size, inC], k: [k, k], outC, strides, pad });
      }

for (const [i, c] of grid.entries()) {
  test(`matches cpu: stride ${c.strides}, ${c.pad}, ${c.x[1]}x${c.x[2]}x${c.x[3]}, k${c.k[0]}, out ${c.outC}`, async () => {
    await compare(c, 100 + i);
  });
}

test("matches cpu: non-square input and kernel, mixed strides, numeric and explicit padding", async () => {
  await compare({ x: [2, 9, 6, 3], k: [3, 2], outC: 4, strides: [2, 1], pad: "same" }, 7);
  await compare({ x: [2, 9, 6, 3], k: [3, 2], outC: 4, strides: [1, 2], pad: "valid" }, 8);
  await compare({ x: [2, 8, 8, 3], k: [3, 3], outC: 4, strides: 2, pad: 1 }, 9);
  await compare({ x: [2, 8, 7, 2], k: [3, 3], outC: 3, strides: 2, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] }, 10);
  await compare({ x: [1, 11, 11, 2], k: [5, 5], outC: 3, strides: 3, pad: "same" }, 11);
  await compare({ x: [2, 10, 9, 3], k: [2, 2], outC: 5, strides: 2, pad: "valid" }, 12);
  await compare({ x: [2, 9, 10, 2], k: [3, 4], outC: 3, strides: [3, 2], pad: [[0, 0], [4, 3], [3, 1], [0, 0]] }, 13);
});

test("registration replaces the stock input gradient and is idempotent", () => {
  assert.ok(stockBackpropInput, "stock wasm Conv2DBackpropInput missing: nothing to replace");
  const ours = tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc;
  assert.notEqual(ours, stockBackpropInput);
  const filter = tf.getKernel("Conv2DBackpropFilter", "wasm")?.kernelFunc;
  assert.ok(filter);
  assert.doesNotThrow(() => registerWasmConvGradients());
  assert.doesNotThrow(() => registerWasmConvGradients());
  assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc, ours);
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm")?.kernelFunc, filter);
});

test("no tensor or backend-data leak across training steps", async () => {
  await tf.setBackend("wasm");
  const w1 = tf.variable(tf.tensor4d(random(3 * 3 * 3 * 8, 1), [3, 3, 3, 8]));
  const w2 = tf.variable(tf.tensor4d(random(1 * 1 * 8 * 4, 2), [1, 1, 8, 4]));
  const x = tf.tensor4d(random(2 * 9 * 9 * 3, 3), [2, 9, 9, 3]);
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const h = tf.relu(tf.conv2d(x, w1, 2, "same"));
      return tf.mean(tf.square(tf.conv2d(h, w2, 2, "valid"))) as tf.Scalar;
    });
    value.dispose();
    tf.dispose(Object.values(grads));
  };
  // IS_TEST makes the engine check, after every kernel, that it allocated
  // exactly its outputs in backend memory: a leaked intermediate throws.
  const wasTest = tf.env().getBool("IS_TEST");
  tf.env().set("IS_TEST", true);
  try {
    step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
  } finally {
    tf.env().set("IS_TEST", wasTest);
    tf.dispose([w1, w2, x]);
  }
});
