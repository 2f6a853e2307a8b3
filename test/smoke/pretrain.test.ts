// The built CLI end to end: a 2-epoch pretrain on a few hundred embedded
// images, the run folder it leaves, and the failure paths a user meets.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckpointMeta, MetricRow, RunEvent, RunSummary } from "../../src/protocol/runFiles";
import { readJson, readLines, onlyRun, runCli, tempDir, writeTinyExperiment } from "./cliRun";

test("pretrain writes a complete run folder and reports kNN before and after", async () => {
  const dir = tempDir("smoke");
  const file = writeTinyExperiment(dir, "tiny", { eval: { every: 2 } });
  const result = await runCli(["pretrain", file], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, /backend wasm: WebAssembly/);
  assert.match(result.stdout, /kNN accuracy before \d+\.\d+% → after \d+\.\d+%/);

  const run = onlyRun(path.join(dir, "runs", "tiny"));
  const config = readJson<{ train: { epochs: number }; name: string }>(path.join(run, "config.json"));
  assert.equal(config.name, "tiny");
  assert.equal(config.train.epochs, 2);

  const summary = readJson<RunSummary>(path.join(run, "summary.json"));
  assert.equal(summary.status, "finished");
  assert.equal(summary.epochsDone, 2);
  assert.equal(summary.steps, 8); // 256 images / batch 64 = 4 steps per epoch
  assert.equal(summary.pid, undefined);
  assert.ok(summary.knnInitial! > 0.1 && summary.knnInitial! <= 1);
  assert.ok(summary.knnFinal! > 0.1 && summary.knnFinal! <= 1);

  const metrics = readLines<MetricRow>(path.join(run, "metrics.jsonl"));
  const train = metrics.filter((m) => m.kind === "train");
  assert.deepEqual(train.map((m) => m.step), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const m of train) {
    assert.ok(Number.isFinite(m.loss) && m.loss > 0);
    assert.ok(m.imagesPerSec > 0 && m.lr > 0);
  }
  const evals = metrics.filter((m) => m.kind === "eval");
  assert.deepEqual(evals.map((m) => m.epoch), [0, 2]);
  assert.equal(evals[0]!.knn, summary.knnInitial);
  assert.equal(evals[1]!.knn, summary.knnFinal);

  const checkpoints = fs.readdirSync(path.join(run, "checkpoints")).sort();
  assert.deepEqual(checkpoints, ["0", "1", "2"]);
  // Epoch 1 was not evaluated: its checkpoint must not carry another epoch's kNN.
  assert.equal(readJson<CheckpointMeta>(path.join(run, "checkpoints", "1", "meta.json")).knn, undefined);
  assert.equal(readJson<CheckpointMeta>(path.join(run, "checkpoints", "0", "meta.json")).knn, summary.knnInitial);
  const meta = readJson<CheckpointMeta>(path.join(run, "checkpoints", "2", "meta.json"));
  assert.equal(meta.knn, summary.knnFinal);
  assert.equal(meta.step, 8);
  assert.equal(meta.backend, "wasm");
  assert.equal(fs.statSync(path.join(run, "checkpoints", "2", "tensors.bin")).size, meta.files["tensors.bin"]);

  const events = readLines<RunEvent>(path.join(run, "events.jsonl")).map((e) => e.type);
  assert.equal(events[0], "started");
  assert.equal(events[events.length - 1], "finished");
});

test("a broken config fails with the file and field, and writes no run", async () => {
  const dir = tempDir("badconfig");
  const file = writeTinyExperiment(dir, "bad", { train: { epochs: 2, batchSize: 64, optimizer: "rmsprop" } });
  const result = await runCli(["pretrain", file], dir);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`ssl-studio: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: field "train.optimizer": must be one of "sgd", "lars", "adam"`));
  assert.equal(fs.existsSync(path.join(dir, "runs")), false);

  fs.writeFileSync(file, '{ "method": "simclr", ');
  const invalid = await runCli(["pretrain", file], dir);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /bad\.ssl\.json:1: invalid JSON/);

  const missing = writeTinyExperiment(dir, "missing", { dataset: { format: "idx", trainImages: "nowhere/train-images.gz" } });
  const noData = await runCli(["pretrain", missing], dir);
  assert.equal(noData.code, 1);
  assert.match(noData.stderr, /field "dataset.trainImages": path does not exist: .*nowhere/);
  assert.equal(fs.existsSync(path.join(dir, "runs")), false);
});

test("unreadable images are skipped, counted and named in the run's events", async () => {
  const sharp = (await import("sharp")).default;
  const dir = tempDir("folder");
  for (const cls of ["a", "b"]) {
    for (const split of ["train", "test"]) {
      fs.mkdirSync(path.join(dir, split, cls), { recursive: true });
      for (let i = 0; i < 12; i++) {
        const v = cls === "a" ? 40 + i : 200 - i;
        await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: v, g: v / 2, b: 255 - v } } })
          .png()
          .toFile(path.join(dir, split, cls, `${i}.png`));
      }
    }
  }
  fs.writeFileSync(path.join(dir, "train", "a", "broken.png"), "not a png at all");
  const file = writeTinyExperiment(dir, "folder", {
    dataset: { format: "folder", train: "train", test: "test" },
    limit: undefined,
    train: { epochs: 1, batchSize: 8, microBatch: 4, optimizer: "sgd", lr: 0.05, warmupEpochs: 0, logEvery: 1 },
  });
  const result = await runCli(["pretrain", file], dir);
  assert.equal(result.code, 0, result.stderr);
  const run = onlyRun(path.join(dir, "runs", "folder"));
  const skipped = readLines<RunEvent>(path.join(run, "events.jsonl")).filter((e) => e.type === "skipped-image");
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.message, /broken\.png/);
  const summary = readJson<RunSummary>(path.join(run, "summary.json"));
  assert.equal(summary.skippedImages, 1);
  assert.equal(summary.trainImages, 24);
});

test("doctor names every backend, why it is skipped, and whether it can train", async () => {
  const result = await runCli(["doctor"], tempDir("doctor"));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /✘ tensorflow-gpu +@tensorflow\/tfjs-node-gpu is not installed\n +fix: .*CUDA 11\.2 and cuDNN 8\.1.*#8362.*TFJS_NODE_CDN_STORAGE/);
  assert.match(result.stdout, /✘ tensorflow +@tensorflow\/tfjs-node is not installed/);
  assert.match(result.stdout, /✔ wasm +WebAssembly.*\n +✔ trains simclr \+ convnet\n +✔ trains simclr \+ resnet18/);
  assert.match(result.stdout, /--backend auto picks: wasm/);
});
