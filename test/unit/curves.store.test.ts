// The loss-curves panel's store: a run is read from its files once, then a
// run this window trains grows from the trainer's messages, and a run trained
// elsewhere is followed through a file watch, reading only appended bytes.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { MetricRow } from "../../src/protocol/runFiles";
import { RunDir } from "../../src/trainer/runDir";
import { RunRegistry } from "../../src/extension/runRegistry";
import { CurveStore } from "../../src/extension/lossCurves/curveStore";
import { colorBy, colorFields, flattenConfig } from "../../src/extension/lossCurves/runColors";

const trainRow = (step: number): MetricRow => ({ kind: "train", step, epoch: step / 10, loss: 1 / step, lr: 0.1, imagesPerSec: 50, time: step });

function newRun(steps: number): RunDir {
  const run = RunDir.create(fs.mkdtempSync(path.join(os.tmpdir(), "curve-store-")), { method: "simclr" }, () => {});
  for (let s = 1; s <= steps; s++) run.metric(trainRow(s));
  return run;
}

const waitFor = async (what: string, check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test("a run this window trains grows from the trainer's rows; its file is read again when its trainer (re)starts", () => {
  const run = newRun(5);
  const registry = new RunRegistry();
  const store = new CurveStore(registry);
  const changed: string[] = [];
  store.onChange((d) => changed.push(d));
  assert.equal(store.get(run.dir).train.count, 5);

  const file = "/w/x.ssl.json";
  registry.add(file, "x", { stop: () => true, kill: () => {} });
  // A resume truncates the file before the trainer says it started: the store reads it again then.
  run.truncateMetricsAfter(3);
  registry.apply(file, { type: "runStarted", runDir: run.dir, runId: run.runId, experiment: "x", backend: "cpu", epochs: 1, stepsPerEpoch: 10, resumedFromEpoch: 0 });
  assert.equal(store.get(run.dir).train.count, 3);
  for (let s = 4; s <= 8; s++) {
    run.metric(trainRow(s));
    registry.apply(file, { type: "metric", row: trainRow(s) });
  }
  assert.equal(store.get(run.dir).train.count, 8);
  assert.deepEqual([...store.get(run.dir).train.column("step")], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(changed.length >= 6 && changed.every((d) => d === path.resolve(run.dir)));
  // A checkpoint (another state change) does not read the file again: rows only it has would show.
  fs.appendFileSync(path.join(run.dir, "metrics.jsonl"), JSON.stringify(trainRow(99)) + "\n");
  registry.apply(file, { type: "checkpoint", epoch: 1, dir: path.join(run.dir, "checkpoints", "1") });
  assert.equal(store.get(run.dir).train.last("step"), 8);
  store.dispose();
});

test("a run trained elsewhere is followed by a file watch: appended rows arrive, a shrunk file is read again", async () => {
  const run = newRun(10);
  const store = new CurveStore(new RunRegistry());
  store.follow(run.dir, true);
  assert.equal(store.get(run.dir).train.count, 10);
  for (let s = 11; s <= 20; s++) run.metric(trainRow(s));
  await waitFor("the appended rows", () => store.get(run.dir).train.count === 20);
  // Half a line: not a row yet; the rest of it completes the row.
  const line = JSON.stringify(trainRow(21)) + "\n";
  fs.appendFileSync(path.join(run.dir, "metrics.jsonl"), line.slice(0, 10));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(store.get(run.dir).train.count, 20);
  fs.appendFileSync(path.join(run.dir, "metrics.jsonl"), line.slice(10));
  await waitFor("the completed row", () => store.get(run.dir).train.count === 21);
  run.truncateMetricsAfter(5);
  await waitFor("the file read again after it shrank", () => store.get(run.dir).train.count === 5);
  store.follow(run.dir, false);
  run.metric(trainRow(6));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(store.get(run.dir).train.count, 5, "a finished run is not followed");
  store.dispose();
});

test("colour by config field: fields that differ come first; numbers on a gradient, other values as categories", () => {
  const a = flattenConfig({ method: "simclr", train: { lr: 0.3, batchSize: 64 }, augment: { ops: [{ op: "crop" }] } });
  const b = flattenConfig({ method: "byol", train: { lr: 0.1, batchSize: 64 }, augment: { ops: [{ op: "crop" }] } });
  const c = flattenConfig({ method: "simclr", train: { lr: 0.2, batchSize: 64 } });
  assert.equal(a.get("augment.ops.0.op"), "crop");
  const fields = colorFields([a, b, c]);
  assert.deepEqual(fields.slice(0, 3), ["augment.ops.0.op", "method", "train.lr"]);
  assert.ok(fields.indexOf("train.batchSize") > 2);
  const lr = colorBy("train.lr", [a, b, c]);
  assert.deepEqual(lr.colors.map((x) => Math.round((x as { t: number }).t * 1e9) / 1e9), [1, 0, 0.5]);
  assert.deepEqual(lr.legend, { field: "train.lr", range: [0.1, 0.3] });
  const method = colorBy("method", [a, b, c]);
  assert.deepEqual(method.legend.categories, ["byol", "simclr"]);
  assert.deepEqual(method.colors, [{ category: 1 }, { category: 0 }, { category: 1 }]);
  assert.deepEqual(colorBy("augment.ops.0.op", [a, c]).legend.categories, ["(not set)", "crop"]);
});
