// Hierarchical pretraining: a run starts from another run's backbone, with
// BatchNorm statistics re-estimated on its own data and, for
// trainable "batchnorm", only gamma/beta of the backbone (and the new heads) training.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import { parseExperiment } from "../../src/core/config/load";
import type { Experiment, Method } from "../../src/core/config/schema";
import { loadDataset } from "../../src/core/data/load";
import { imageBatch } from "../../src/core/eval/features";
import { buildModel, disposeModel, savedVariables, type SslModel } from "../../src/core/models/build";
import { createOptimizer } from "../../src/core/optim";
import { saveCheckpoint } from "../../src/core/run/checkpoint";
import { modelArrays } from "../../src/trainer/modelState";
import { fixedParams, initFromCheckpoint, resolveCheckpoint } from "../../src/trainer/initFromCheckpoint";
import { trainStep } from "../../src/trainer/trainStep";

function config(method: Method, seed: number, init?: object): Experiment {
  const { config, issues } = parseExperiment(
    JSON.stringify({
      method,
      seed,
      dataset: { format: "embedded", name: "fashion-mnist-5k" },
      imageSize: 12,
      limit: { train: 64, test: 16 },
      model: { backbone: "convnet", width: 0.125, projectorHidden: 16, projectorOut: 8 },
      train: { batchSize: 16 },
      ...(init ? { init } : {}),
    }),
    "/tmp/init.ssl.json",
    { checkPaths: false },
  );
  assert.ok(config, JSON.stringify(issues));
  return config;
}

const get = (m: SslModel, name: string) => Float32Array.from(savedVariables(m).find((v) => v.name === name)!.variable.dataSync());

test("a BYOL run starts from a SimCLR checkpoint's backbone; its target copies it; BatchNorm statistics are those of the new data", async () => {
  await tf.setBackend("cpu");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpt-"));
  const source = buildModel(config("simclr", 1), 1);
  // Something other than the init values, so a copy is visible.
  source.vars.all().forEach(({ variable }, i) => variable.assign(tf.add(variable, (i % 5) * 0.01)));
  const optimizer = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
  const ckpt = saveCheckpoint(path.join(dir, "run", "checkpoints"), "3", await modelArrays(source, optimizer), {
    epoch: 3, step: 12, savedAt: "", loss: 1, backend: "cpu", seed: 1, wallSeconds: 1,
  });
  assert.equal(resolveCheckpoint(path.join(dir, "run")), ckpt, "a run folder means its last checkpoint");

  const c = config("byol", 2, { checkpoint: ckpt, trainable: "batchnorm", bnBatches: 4 });
  const data = (await loadDataset(c, "/tmp")).train;
  const model = buildModel(c, 1);
  const result = initFromCheckpoint(model, c.init!, data, c);
  assert.equal(result.bnBatches, 4);
  assert.equal(result.loaded, source.vars.all().filter((v) => v.name.startsWith("backbone.")).length);
  assert.deepEqual(get(model, "backbone.conv3.kernel"), get(source, "backbone.conv3.kernel"));
  assert.deepEqual(get(model, "target.backbone.conv3.kernel"), get(source, "backbone.conv3.kernel"), "the EMA target starts at the loaded backbone");
  assert.deepEqual(get(model, "target.backbone.bn1.runningMean"), get(model, "backbone.bn1.runningMean"));

  // The first stage's statistics: the plain average over the 4 batches of the per-batch means of conv1's output.
  const conv1 = model.vars.params.find((p) => p.name === "backbone.conv1.kernel")!.variable;
  const expected = tf.tidy(() => {
    const means = [0, 1, 2, 3].map((k) => tf.mean(tf.conv2d(imageBatch(data, k * 16, 16, 12), conv1 as tf.Tensor4D, 1, "same"), [0, 1, 2]));
    return tf.mean(tf.stack(means), 0).dataSync();
  });
  const got = get(model, "backbone.bn1.runningMean");
  assert.ok(Math.max(...Array.from(got, (g, i) => Math.abs(g - expected[i]!))) < 1e-5, "running mean = average of the batch means");
  assert.notDeepEqual(got, get(source, "backbone.bn1.runningMean"));

  // trainable "batchnorm": conv kernels stay, gamma/beta and the new heads move.
  const fixed = fixedParams(c.init)!;
  const before = { conv: get(model, "backbone.conv2.kernel"), gamma: get(model, "backbone.bn2.gamma"), head: get(model, "head.fc1.kernel") };
  const opt = createOptimizer("sgd", { momentum: 0, weightDecay: 0 });
  trainStep(model, opt, data, Int32Array.from({ length: 16 }, (_, i) => i), { step: 0, totalSteps: 4, epoch: 0, stepsPerEpoch: 4 }, 0.5, c, { fixed }).dispose();
  assert.deepEqual(get(model, "backbone.conv2.kernel"), before.conv);
  assert.notDeepEqual(get(model, "backbone.bn2.gamma"), before.gamma);
  assert.notDeepEqual(get(model, "head.fc1.kernel"), before.head);
  assert.equal(fixedParams(config("simclr", 0, { checkpoint: ckpt })?.init), undefined, "trainable all fixes nothing");

  for (const m of [source, model]) disposeModel(m);
  optimizer.dispose();
  opt.dispose();
});

test("a checkpoint of another backbone is refused with the field and the variable", async () => {
  await tf.setBackend("cpu");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hpt-"));
  const wide = buildModel({ ...config("simclr", 1), model: { ...config("simclr", 1).model, width: 0.25 } }, 1);
  const optimizer = createOptimizer("sgd", { momentum: 0.9, weightDecay: 0 });
  const ckpt = saveCheckpoint(path.join(dir, "checkpoints"), "1", await modelArrays(wide, optimizer), {
    epoch: 1, step: 1, savedAt: "", loss: 1, backend: "cpu", seed: 1, wallSeconds: 1,
  });
  const c = config("simclr", 2, { checkpoint: ckpt });
  const model = buildModel(c, 1);
  const data = (await loadDataset(c, "/tmp")).train;
  assert.throws(() => initFromCheckpoint(model, c.init!, data, c), /init\.checkpoint: "backbone\.conv1\.kernel" has shape \[3,3,1,8\] .* needs \[3,3,1,4\]/);
  assert.throws(() => resolveCheckpoint(path.join(dir, "nothing")), /init\.checkpoint: .* does not exist/);
  disposeModel(wide);
  disposeModel(model);
  optimizer.dispose();
});
