// dist/lib.js as another program uses it: CommonJS, tensors from the caller's
// own @tensorflow/tfjs-core, named as in the PyTorch fixture.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

test("dist/lib.js losses.ntxent reproduces the PyTorch fixture", async () => {
  const tf = require("@tensorflow/tfjs-core") as typeof import("@tensorflow/tfjs-core");
  require("@tensorflow/tfjs-backend-cpu");
  await tf.setBackend("cpu");
  const lib = require(path.join(__dirname, "..", "..", "dist", "lib.js")) as {
    losses: Record<string, (inputs: Record<string, unknown>, params: Record<string, number>) => import("@tensorflow/tfjs-core").Scalar>;
  };
  const fx = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "losses", "ntxent.json"), "utf8"));
  const loss = lib.losses.ntxent({ z1: tf.tensor(fx.inputs.z1), z2: tf.tensor(fx.inputs.z2) }, fx.params);
  assert.ok(Math.abs(loss.dataSync()[0]! - fx.loss) / fx.loss < 1e-4);
});
