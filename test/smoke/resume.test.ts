// Crash safety: a run killed with SIGKILL mid-epoch, or stopped with Ctrl+C,
// and resumed ends with exactly the weights of an uninterrupted run (same
// seed, same backend).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricRow, RunSummary } from "../../src/protocol/runFiles";
import { onlyRun, readJson, readLines, runCli, startCli, tempDir, waitFor, writeTinyExperiment } from "./cliRun";

const EPOCHS = 3;
const STEPS_PER_EPOCH = 16; // 1024 images, batch 64
const TRAIN = { epochs: EPOCHS, batchSize: 64, optimizer: "lars", lr: 0.3, warmupEpochs: 1, logEvery: 1 };
const LIMIT = { train: 1024, test: 200 };

function finalWeights(run: string): Buffer {
  return fs.readFileSync(path.join(run, "checkpoints", String(EPOCHS), "tensors.bin"));
}

function trainRows(run: string): number {
  const file = path.join(run, "metrics.jsonl");
  return fs.existsSync(file) ? readLines<MetricRow>(file).filter((m) => m.kind === "train").length : 0;
}

async function interruptedRun(dir: string, name: string, signal: NodeJS.Signals): Promise<string> {
  const file = writeTinyExperiment(dir, name, { train: TRAIN, limit: LIMIT });
  const { child, done } = startCli(["pretrain", file], dir);
  const runsDir = path.join(dir, "runs", name);
  // Mid-epoch 2: checkpoint 1 exists, and a few of epoch 2's steps are logged.
  await waitFor(
    () => fs.existsSync(runsDir) && fs.readdirSync(runsDir).length === 1 && trainRows(onlyRun(runsDir)) >= STEPS_PER_EPOCH + 4,
    120_000,
    "epoch 2 to start",
  );
  child.kill(signal);
  const killed = await done;
  const run = onlyRun(runsDir);
  if (signal === "SIGKILL") {
    assert.equal(killed.signal, "SIGKILL");
    assert.equal(readJson<RunSummary>(path.join(run, "summary.json")).status, "running");
  } else {
    assert.equal(killed.code, 3, killed.stderr);
    assert.equal(readJson<RunSummary>(path.join(run, "summary.json")).status, "stopped");
  }
  assert.equal(fs.existsSync(path.join(run, "checkpoints", String(EPOCHS))), false, "the run was interrupted before its end");
  const resumed = await runCli(["pretrain", file, "--resume", run], dir);
  assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /resumed from checkpoint/);
  return run;
}

test("SIGKILL mid-epoch, then --resume, gives the uninterrupted run's weights", async () => {
  const dir = tempDir("resume");
  const reference = writeTinyExperiment(dir, "reference", { train: TRAIN, limit: LIMIT });
  const straight = await runCli(["pretrain", reference], dir);
  assert.equal(straight.code, 0, straight.stderr);
  const referenceRun = onlyRun(path.join(dir, "runs", "reference"));

  const killedRun = await interruptedRun(dir, "killed", "SIGKILL");
  assert.ok(finalWeights(referenceRun).equals(finalWeights(killedRun)), "final weights differ after kill + resume");
  const summary = readJson<RunSummary>(path.join(killedRun, "summary.json"));
  assert.equal(summary.status, "finished");
  // Steps retrained after the resume replace the killed attempt's rows instead of repeating them.
  const steps = readLines<MetricRow>(path.join(killedRun, "metrics.jsonl")).filter((m) => m.kind === "train").map((m) => m.step);
  assert.deepEqual(steps, Array.from({ length: EPOCHS * STEPS_PER_EPOCH }, (_, i) => i + 1));

  const stoppedRun = await interruptedRun(dir, "stopped", "SIGINT");
  assert.ok(finalWeights(referenceRun).equals(finalWeights(stoppedRun)), "final weights differ after stop + resume");
});
