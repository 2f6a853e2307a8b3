// Every loss against its PyTorch reference: loss value and gradients with
// respect to each input listed in the fixture's `grads`, relative error < 1e-4.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { losses } from "../../src/lib";

interface Fixture {
  method: string;
  params: Record<string, number>;
  inputs: Record<string, number[] | number[][]>;
  loss: number;
  grads: Record<string, number[][]>;
}

const dir = path.join(__dirname, "..", "fixtures", "losses");
const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));

function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

test("there is a fixture for the SimCLR loss", () => {
  assert.ok(files.includes("ntxent.json"));
});

for (const file of files) {
  test(`loss ${file} matches the PyTorch reference`, async () => {
    await tf.setBackend("cpu");
    const fx = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as Fixture;
    const fn = (losses as unknown as Record<string, (inputs: Record<string, tf.Tensor>, params: Record<string, number>) => tf.Scalar>)[fx.method];
    assert.ok(fn, `lib.losses has no "${fx.method}"`);
    const inputs = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, tf.tensor(v)]));
    const gradNames = Object.keys(fx.grads);
    const loss = fn(inputs, fx.params);
    assert.deepEqual(loss.shape, []);
    const value = (await loss.data())[0]!;
    assert.ok(Math.abs(value - fx.loss) / Math.abs(fx.loss) < 1e-4, `loss ${value} vs reference ${fx.loss}`);
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const named = { ...inputs };
      gradNames.forEach((n, i) => (named[n] = xs[i]!));
      return fn(named, fx.params);
    })(gradNames.map((n) => inputs[n]!));
    for (const [i, name] of gradNames.entries()) {
      const err = relError(await grads[i]!.data(), fx.grads[name]!.flat());
      assert.ok(err < 1e-4, `gradient of ${name}: relative error ${err}`);
    }
  });
}
