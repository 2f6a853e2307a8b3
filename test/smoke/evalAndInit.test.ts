// The built CLI on the evaluation suite and hierarchical pretraining: the
// final evaluation of a run, `ssl-studio eval` on its checkpoints, a second
// run initialised from the first, and a run whose loss diverges.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EvalReport, MetricRow, RunEvent, RunSummary } from "../../src/protocol/runFiles";
import { onlyRun, readJson, readLines, runCli, tempDir, writeTinyExperiment } from "./cliRun";

test("a BYOL run evaluates every protocol at the end; `eval` reruns them on its checkpoints; a second run starts from it", async () => {
  const dir = tempDir("eval");
  const file = writeTinyExperiment(dir, "source", { method: "byol", train: { epochs: 2, batchSize: 64, optimizer: "adam", lr: 0.002, warmupEpochs: 0.5 } });
  const first = await runCli(["pretrain", file], dir);
  assert.equal(first.code, 0, first.stderr + first.stdout);
  assert.match(first.stdout, /final evaluation: kNN \d+\.\d+%; linear 1% [\d.]+% \/ 10% [\d.]+% \/ 100% [\d.]+%; layers conv1 kNN/);
  const run = onlyRun(path.join(dir, "runs", "source"));
  const summary = readJson<RunSummary>(path.join(run, "summary.json"));
  const final = summary.finalEval!;
  assert.deepEqual(final.linear!.map((l) => l.fraction), [0.01, 0.1, 1]);
  assert.deepEqual(final.layers!.map((l) => l.stage), ["conv1", "conv2", "conv3", "conv4"]);
  assert.ok(final.rotation! > 0.25, `rotation proxy above chance: ${final.rotation}`);
  assert.equal(final.collapse!.dim, 16);
  const evals = readLines<MetricRow>(path.join(run, "metrics.jsonl")).filter((m): m is MetricRow & EvalReport => m.kind === "eval");
  assert.deepEqual(evals.map((e) => [e.epoch, e.knn !== undefined, e.linear !== undefined]), [[0, true, false], [1, true, false], [2, true, true]]);

  const json = path.join(dir, "eval.json");
  const again = await runCli(["eval", run, path.join(run, "checkpoints", "0"), path.join(run, "checkpoints", "1"), "--protocol", "knn,rotation,linear", "--json", json], dir);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  const out = readJson<{ results: { checkpoint: string; report: EvalReport }[]; spearman: number }>(json);
  assert.equal(out.results.length, 3);
  assert.equal(out.results[0]!.checkpoint, path.join(run, "checkpoints", "2"), "a run folder means its last checkpoint");
  assert.equal(out.results[0]!.report.knn, final.knn, "the same checkpoint and data give the run's own kNN");
  assert.equal(out.results[0]!.report.collapse, undefined, "only the protocols asked for");
  assert.ok(Number.isFinite(out.spearman) && Math.abs(out.spearman) <= 1);
  assert.match(again.stdout, /rotation proxy vs linear accuracy over 3 checkpoints: Spearman rho/);

  const bad = await runCli(["eval", run, "--protocol", "knn,accuracy"], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--protocol: unknown accuracy/);

  const child = writeTinyExperiment(dir, "child", { method: "simsiam", init: { checkpoint: path.relative(dir, run), trainable: "batchnorm", bnBatches: 2 }, train: { epochs: 1, batchSize: 64, optimizer: "adam", lr: 0.002, warmupEpochs: 0 } });
  const second = await runCli(["pretrain", child], dir);
  assert.equal(second.code, 0, second.stderr + second.stdout);
  const childRun = onlyRun(path.join(dir, "runs", "child"));
  const init = readLines<RunEvent>(path.join(childRun, "events.jsonl")).find((e) => e.type === "init")!;
  assert.match(init.message, /backbone initialised from .*checkpoints\/2 \(\d+ variables; BatchNorm statistics re-estimated on 2 batches\); training only BatchNorm gamma\/beta/);
  const childFirst = readLines<MetricRow>(path.join(childRun, "metrics.jsonl")).find((m) => m.kind === "eval") as EvalReport;
  assert.notEqual(childFirst.knn, evals[0]!.knn, "epoch 0 of the child is the loaded backbone, not a random one");
});

test("a diverging loss stops the run with a clear event and keeps the last good checkpoint", async () => {
  const dir = tempDir("nan");
  const file = writeTinyExperiment(dir, "nan", { train: { epochs: 3, batchSize: 64, optimizer: "sgd", lr: 1e30, warmupEpochs: 0 } });
  const result = await runCli(["pretrain", file], dir);
  assert.notEqual(result.code, 0);
  const run = onlyRun(path.join(dir, "runs", "nan"));
  const diverged = readLines<RunEvent>(path.join(run, "events.jsonl")).find((e) => e.type === "diverged")!;
  assert.match(diverged.message, /loss became (NaN|Infinity|-Infinity) at epoch \d+, step \d+: training stopped; the last good checkpoint is .*checkpoints\/0/);
  assert.equal(readJson<RunSummary>(path.join(run, "summary.json")).status, "failed");
  assert.ok(fs.existsSync(path.join(run, "checkpoints", "0", "meta.json")));
});

test("an MAE run saves its reconstructions with every evaluation and skips the collapse indicators", async () => {
  const dir = tempDir("mae");
  const file = writeTinyExperiment(dir, "mae", {
    method: "mae",
    model: { backbone: "vit", vit: { patchSize: 4, depth: 2, dim: 32, heads: 2 } },
    train: { epochs: 1, batchSize: 64, optimizer: "adam", lr: 0.001, warmupEpochs: 0 },
  });
  const result = await runCli(["pretrain", file], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  const run = onlyRun(path.join(dir, "runs", "mae"));
  const evals = readLines<MetricRow>(path.join(run, "metrics.jsonl")).filter((m): m is Extract<MetricRow, { kind: "eval" }> => m.kind === "eval");
  assert.deepEqual(evals.map((e) => e.snapshot), ["snapshots/epoch-0.png", "snapshots/epoch-1.png"]);
  for (const e of evals) {
    const png = fs.readFileSync(path.join(run, e.snapshot!));
    assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
    // 8 rows (images) of 3 columns (original, masked, reconstruction), 16 px at scale 4.
    assert.ok(png.readUInt32BE(16) >= 3 * 64 && png.readUInt32BE(20) >= 8 * 64, `grid ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
    assert.equal(e.collapse, undefined);
  }
  assert.ok(readLines<RunEvent>(path.join(run, "events.jsonl")).some((e) => /mae has no joint embedding: the collapse indicators are skipped/.test(e.message)));
});
