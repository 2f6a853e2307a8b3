import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  finishedText,
  formatDuration,
  formatLoss,
  formatPercent,
  formatProgress,
  formatRate,
  presentCheckpoint,
  presentRun,
  progressPercent,
  statusBarText,
  stoppedText,
  type ProgressMessage,
} from "../../src/extension/format";
import type { RunInfo } from "../../src/extension/runFolder";
import type { RunSummary } from "../../src/protocol/runFiles";

const progress = (over: Partial<ProgressMessage> = {}): ProgressMessage => ({
  type: "progress",
  epoch: 3,
  step: 150,
  totalSteps: 500,
  loss: 4.12345,
  lr: 0.1,
  imagesPerSec: 812.4,
  etaSeconds: 125,
  ...over,
});

const summary = (over: Partial<RunSummary> = {}): RunSummary => ({
  experiment: "exp",
  runId: "r1",
  method: "simclr",
  status: "finished",
  backend: "wasm",
  startedAt: "2025-01-01T00:00:00.000Z",
  endedAt: "2025-01-01T00:05:00.000Z",
  epochs: 10,
  epochsDone: 10,
  steps: 500,
  trainImages: 5000,
  skippedImages: 0,
  wallSeconds: 300,
  ...over,
});

const run = (over: Partial<RunInfo> = {}): RunInfo => ({
  id: "r1",
  dir: "/ws/runs/exp/r1",
  summary: summary(),
  state: "finished",
  checkpoints: [],
  sortKey: "x",
  ...over,
});

test("durations, percentages, losses and rates read like a person wrote them", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(45.4), "45s");
  assert.equal(formatDuration(125), "2m 05s");
  assert.equal(formatDuration(3780), "1h 03m");
  assert.equal(formatDuration(NaN), "?");
  assert.equal(formatDuration(-3), "?");
  assert.equal(formatPercent(0.784), "78.4%");
  assert.equal(formatPercent(1), "100.0%");
  assert.equal(formatLoss(4.12345), "4.123");
  assert.equal(formatLoss(0.0123456), "0.01235");
  assert.equal(formatLoss(1234.5), "1234.5");
  assert.equal(formatLoss(NaN), "NaN");
  assert.equal(formatRate(812.4), "812 img/s");
  assert.equal(formatRate(3.21), "3.2 img/s");
});

test("progress text has epoch, loss, images/s and ETA", () => {
  assert.equal(formatProgress(progress(), 10), "epoch 3/10 · loss 4.123 · 812 img/s · ETA 2m 05s");
  assert.equal(formatProgress(progress({ etaSeconds: 0 })), "epoch 3 · loss 4.123 · 812 img/s");
  assert.equal(formatProgress(progress({ etaSeconds: Infinity }), 10), "epoch 3/10 · loss 4.123 · 812 img/s");
  assert.equal(progressPercent(progress()), 30);
  assert.equal(progressPercent({ step: 9, totalSteps: 0 }), 0);
  assert.equal(progressPercent({ step: 600, totalSteps: 500 }), 100);
});

test("status bar: one run in detail, several counted", () => {
  assert.equal(statusBarText([]), "");
  assert.equal(statusBarText([{ experimentName: "a" }]), "$(loading~spin) SSL a: starting…");
  assert.equal(statusBarText([{ experimentName: "a", epochs: 10, progress: progress() }]), "$(loading~spin) SSL a 3/10 · loss 4.123");
  assert.equal(statusBarText([{ experimentName: "a", stopping: true, progress: progress() }]), "$(loading~spin) SSL a: stopping…");
  assert.equal(statusBarText([{ experimentName: "a" }, { experimentName: "b" }]), "$(loading~spin) SSL: 2 runs");
});

test("tree: finished runs show the final kNN, the tooltip the whole story", () => {
  const p = presentRun(run({ summary: summary({ knnInitial: 0.312, knnFinal: 0.784, finalLoss: 3.05 }) }));
  assert.equal(p.icon, "finished");
  assert.equal(p.description, "kNN 78.4%");
  const tip = p.tooltip.join("\n");
  assert.match(tip, /kNN 31\.2% at init → 78\.4%/);
  assert.match(tip, /epoch 10\/10 in 5m 00s/);
  assert.match(tip, /final loss 3\.050/);
  assert.equal(presentRun(run()).description, "finished", "no kNN recorded");
});

test("tree: failed, stopped, interrupted, running and unreadable runs", () => {
  const failed = presentRun(run({ state: "failed", summary: summary({ status: "failed", error: "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'\nat ..." }) }));
  assert.equal(failed.icon, "failed");
  assert.match(failed.description, /^failed: Kernel 'Conv2DBackpropFilter'/);
  assert.ok(failed.description.length <= 70);
  assert.match(failed.tooltip.join("\n"), /failed: Kernel/);

  const stopped = presentRun(run({ state: "stopped", summary: summary({ status: "stopped", epochsDone: 3 }) }));
  assert.deepEqual([stopped.icon, stopped.description], ["stopped", "stopped at epoch 3/10"]);

  const ckpt = { epoch: 2, name: "2", dir: "/c/2", meta: { epoch: 2, step: 100, savedAt: "", loss: 4, backend: "wasm", seed: 0, wallSeconds: 1, files: {} } };
  const interrupted = presentRun(run({ state: "interrupted", checkpoints: [ckpt], summary: summary({ status: "running", pid: 4242, epochsDone: 2 }) }));
  assert.equal(interrupted.icon, "interrupted");
  assert.equal(interrupted.description, "interrupted at epoch 2/10");
  assert.match(interrupted.tooltip.join("\n"), /pid 4242.*killed or crashed.*Resume continues from epoch 2/s);

  const running = presentRun(run({ state: "running", summary: summary({ status: "running", epochsDone: 1 }), lastMetric: { kind: "train", step: 70, epoch: 1.4, loss: 4.5, lr: 0.1, imagesPerSec: 100, time: 9 } }));
  assert.deepEqual([running.icon, running.description], ["running", "epoch 2/10 · loss 4.500"]);

  const unknown = presentRun(run({ state: "unknown", summary: undefined, summaryProblem: "summary.json is unreadable: not valid JSON" }));
  assert.deepEqual([unknown.icon, unknown.description], ["unknown", "summary.json is unreadable: not valid JSON"]);
});

test("tree: live progress and session failures win over what the files say", () => {
  const onDisk = run({ state: "running", summary: summary({ status: "running", epochsDone: 1 }) });
  const live = presentRun(onDisk, { experimentName: "exp", epochs: 10, progress: progress() });
  assert.deepEqual([live.icon, live.description], ["running", "epoch 3/10 · loss 4.123 · 812 img/s · ETA 2m 05s"]);
  // A crash leaves summary.json saying "running"; the reason we saw wins.
  const crashed = presentRun(onDisk, undefined, "the trainer was killed (SIGKILL; the system may have run out of memory)");
  assert.equal(crashed.icon, "failed");
  assert.match(crashed.description, /^failed: the trainer was killed/);
});

test("summaries with missing or wrongly typed fields still present", () => {
  const odd = { status: "finished", knnFinal: "high", epochsDone: null } as unknown as RunSummary;
  const p = presentRun(run({ summary: odd }));
  assert.equal(p.description, "finished");
  assert.ok(p.tooltip.length > 0);
});

test("checkpoints and end-of-run messages", () => {
  const c = presentCheckpoint({ name: "4", dir: "/r/checkpoints/4", meta: { epoch: 4, step: 200, savedAt: "t", loss: 3.14159, knn: 0.7, backend: "wasm", seed: 0, wallSeconds: 10, files: { a: 1024, b: 1024 * 1024 } } });
  assert.equal(c.label, "epoch 4");
  assert.equal(c.description, "loss 3.142 · kNN 70.0%");
  assert.match(c.tooltip.join("\n"), /2 files, 1\.0 MiB/);
  const evaluated = presentCheckpoint(
    { name: "4", dir: "/r/checkpoints/4", meta: { epoch: 4, step: 200, savedAt: "t", loss: 3.14159, knn: 0.7, backend: "wasm", seed: 0, wallSeconds: 10, files: {} } },
    { knn: 0.71, rotation: 0.6, linear: [{ fraction: 0.1, trainCount: 50, lr: 0.1, valAccuracy: 0.5, accuracy: 0.5 }, { fraction: 1, trainCount: 500, lr: 0.1, valAccuracy: 0.8, accuracy: 0.79 }] },
  );
  assert.equal(evaluated.description, "loss 3.142 · kNN 71.0% · linear 79.0% · rotation 60.0%", "a later evaluation's results, all labels for the linear probe");
  const mid = presentCheckpoint({ name: "3.17", dir: "/r/checkpoints/3.17", meta: { epoch: 3, step: 167, savedAt: "t", loss: 3, backend: "wasm", seed: 0, wallSeconds: 10, files: {} } });
  assert.equal(mid.label, "epoch 3 + 17 steps");
  assert.equal(finishedText("exp", summary({ knnInitial: 0.3, knnFinal: 0.784 })), "SSL: exp finished: kNN 30.0% → 78.4% (epoch 10/10, 5m 00s).");
  assert.equal(stoppedText("exp", summary({ status: "stopped", epochsDone: 3 }), { epoch: 3, dir: "/r/checkpoints/3" }), "SSL: exp stopped at epoch 3/10. Checkpoint of epoch 3 kept.");
  assert.equal(stoppedText("exp", summary({ status: "stopped", epochsDone: 1 }), { epoch: 1, dir: "/r/checkpoints/1.18" }), "SSL: exp stopped at epoch 1/10. Checkpoint of epoch 1 + 18 steps kept.");
});
