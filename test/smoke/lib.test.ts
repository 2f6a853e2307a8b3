// dist/lib.js as another program uses it: CommonJS, tensors from the caller's
// own @tensorflow/tfjs-core, named as in the PyTorch fixtures.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const dir = path.join(__dirname, "..", "fixtures", "losses");

test("dist/lib.js losses.<name> reproduces every PyTorch fixture", async () => {
  const tf = require("@tensorflow/tfjs-core") as typeof import("@tensorflow/tfjs-core");
  require("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  const lib = require(path.join(__dirname, "..", "..", "dist", "lib.js")) as {
    losses: Record<string, (inputs: Record<string, unknown>, params: Record<string, number>) => import("@tensorflow/tfjs-core").Scalar>;
  };
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
  assert.equal(files.length, 8);
  for (const file of files) {
    const fx = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    const inputs = Object.fromEntries(Object.entries(fx.inputs).map(([k, v]) => [k, tf.tensor(v as number[])]));
    const loss = lib.losses[fx.method]!(inputs, fx.params);
    assert.ok(Math.abs(loss.dataSync()[0]! - fx.loss) / Math.abs(fx.loss) < 1e-4, `${fx.method}: ${loss.dataSync()[0]} vs ${fx.loss}`);
  }
});
