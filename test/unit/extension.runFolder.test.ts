import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { isProcessAlive, isResumable, listCheckpoints, listRuns, readRun } from "../../src/extension/runFolder";
import { readLastJsonLine } from "../../src/core/run/jsonLinesTail";
import type { CheckpointMeta, RunSummary } from "../../src/protocol/runFiles";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-runs-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
function tmp(): string {
  const dir = path.join(root, String(n++));
  fs.mkdirSync(dir);
  return dir;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

function summary(over: Partial<RunSummary>): RunSummary {
  return {
    experiment: "exp",
    runId: "r",
    method: "simclr",
    status: "finished",
    backend: "wasm",
    startedAt: "2025-01-01T00:00:00.000Z",
    epochs: 5,
    epochsDone: 5,
    steps: 100,
    trainImages: 500,
    skippedImages: 0,
    wallSeconds: 42,
    ...over,
  };
}

function meta(epoch: number, loss: number): CheckpointMeta {
  return { epoch, step: epoch * 20, savedAt: "2025-01-01T00:01:00.000Z", loss, backend: "wasm", seed: 0, wallSeconds: epoch * 8, files: { "weights.bin": 1000 } };
}

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "0"]);
  return r.pid!;
}

test("a missing or unreadable runs folder is no runs", () => {
  const dir = tmp();
  assert.deepEqual(listRuns(path.join(dir, "nope")), []);
  write(path.join(dir, "afile"), "x");
  assert.deepEqual(listRuns(path.join(dir, "afile")), []);
});

test("finished, stopped and failed runs are read with their complete checkpoints, newest first", () => {
  const runs = tmp();
  const a = path.join(runs, "20250101-000000");
  write(path.join(a, "summary.json"), JSON.stringify(summary({ runId: "a", knnInitial: 0.31, knnFinal: 0.784 })));
  write(path.join(a, "checkpoints", "4", "meta.json"), JSON.stringify(meta(4, 3.2)));
  write(path.join(a, "checkpoints", "5", "meta.json"), JSON.stringify(meta(5, 3.1)));
  // Checkpoint 10 sorts after 5 numerically, not as a string.
  write(path.join(a, "checkpoints", "10", "meta.json"), JSON.stringify(meta(10, 3.0)));
  // A stop 7 steps into epoch 11 saves "10.7", after "10" (same completed epochs, later step).
  write(path.join(a, "checkpoints", "10.7", "meta.json"), JSON.stringify({ ...meta(10, 2.9), step: 207 }));
  const b = path.join(runs, "20250102-000000");
  write(path.join(b, "summary.json"), JSON.stringify(summary({ status: "stopped", startedAt: "2025-01-02T00:00:00.000Z", epochsDone: 2 })));
  write(path.join(b, "checkpoints", "2", "meta.json"), JSON.stringify(meta(2, 4)));
  const c = path.join(runs, "20250103-000000");
  write(path.join(c, "summary.json"), JSON.stringify(summary({ status: "failed", startedAt: "2025-01-03T00:00:00.000Z", error: "Kernel not registered" })));

  const list = listRuns(runs);
  assert.deepEqual(list.map((r) => r.id), ["20250103-000000", "20250102-000000", "20250101-000000"]);
  assert.deepEqual(list.map((r) => r.state), ["failed", "stopped", "finished"]);
  assert.deepEqual(list[2]!.checkpoints.map((k) => k.name), ["4", "5", "10", "10.7"]);
  assert.equal(list[2]!.summary?.knnFinal, 0.784);
  assert.equal(isResumable(list[1]!), true, "stopped with a checkpoint");
  assert.equal(isResumable(list[0]!), false, "failed before any checkpoint");
  assert.equal(isResumable(list[2]!), false, "finished");
});

test("half-written, empty, missing and foreign summaries give a state, never an exception", () => {
  const runs = tmp();
  write(path.join(runs, "half", "summary.json"), JSON.stringify(summary({})).slice(0, 40));
  write(path.join(runs, "empty", "summary.json"), "");
  fs.mkdirSync(path.join(runs, "missing"));
  write(path.join(runs, "foreign", "summary.json"), JSON.stringify({ hello: "world" }));
  write(path.join(runs, "array", "summary.json"), "[1,2,3]");
  write(path.join(runs, "badstatus", "summary.json"), JSON.stringify(summary({ status: "exploded" as never })));
  fs.mkdirSync(path.join(runs, ".tmp-hidden"));

  const byId = new Map(listRuns(runs).map((r) => [r.id, r]));
  assert.equal(byId.has(".tmp-hidden"), false);
  for (const id of ["half", "empty", "missing", "foreign", "array", "badstatus"]) {
    const r = byId.get(id)!;
    assert.equal(r.state, "unknown", id);
    assert.equal(r.summary, undefined, id);
    assert.ok(r.summaryProblem, id);
  }
  assert.match(byId.get("half")!.summaryProblem!, /not valid JSON/);
  assert.match(byId.get("empty")!.summaryProblem!, /empty file/);
  assert.match(byId.get("missing")!.summaryProblem!, /missing/);
  assert.match(byId.get("foreign")!.summaryProblem!, /no valid status/);
});

test("checkpoints without a readable meta.json are not complete and are left out", () => {
  const run = tmp();
  write(path.join(run, "checkpoints", "1", "meta.json"), JSON.stringify(meta(1, 5)));
  write(path.join(run, "checkpoints", "2", "weights.bin"), "partial"); // meta.json not written yet
  write(path.join(run, "checkpoints", "3", "meta.json"), '{"epoch": 3, "st'); // cut mid-write
  write(path.join(run, "checkpoints", "4", "meta.json"), '{"step": 9}'); // no epoch
  write(path.join(run, "checkpoints", "notadir"), "x");
  assert.deepEqual(listCheckpoints(run).map((c) => c.meta.epoch), [1]);
  assert.deepEqual(listCheckpoints(path.join(run, "none")), []);
});

test("a running summary is interrupted when its pid is dead, running when alive", () => {
  const runs = tmp();
  write(path.join(runs, "alive", "summary.json"), JSON.stringify(summary({ status: "running", pid: process.pid, epochsDone: 1 })));
  write(path.join(runs, "dead", "summary.json"), JSON.stringify(summary({ status: "running", pid: deadPid(), epochsDone: 1 })));
  write(path.join(runs, "dead", "checkpoints", "1", "meta.json"), JSON.stringify(meta(1, 5)));
  write(path.join(runs, "nopid", "summary.json"), JSON.stringify(summary({ status: "running" })));
  const byId = new Map(listRuns(runs).map((r) => [r.id, r]));
  assert.equal(byId.get("alive")!.state, "running");
  assert.equal(byId.get("dead")!.state, "interrupted");
  assert.equal(isResumable(byId.get("dead")!), true);
  assert.equal(byId.get("nopid")!.state, "running", "without a pid there is nothing to contradict the summary");
  assert.equal(readRun(path.join(runs, "alive"), { isAlive: () => false }).state, "interrupted");
});

test("isProcessAlive: this process yes, an exited one and nonsense no", () => {
  assert.equal(isProcessAlive(process.pid), true);
  assert.equal(isProcessAlive(deadPid()), false);
  for (const bad of [0, -1, 1.5, "123", undefined, null]) assert.equal(isProcessAlive(bad), false, String(bad));
});

test("a running run shows the last complete metrics line, skipping one being appended", () => {
  const runs = tmp();
  const dir = path.join(runs, "r1");
  write(path.join(dir, "summary.json"), JSON.stringify(summary({ status: "running", pid: process.pid, epochsDone: 1 })));
  const rows = [
    { kind: "train", step: 10, epoch: 1, loss: 5.1, lr: 0.1, imagesPerSec: 300, time: 3 },
    { kind: "train", step: 20, epoch: 2, loss: 4.9, lr: 0.1, imagesPerSec: 310, time: 6 },
  ];
  write(path.join(dir, "metrics.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + '\n{"kind":"train","step":30,"ep');
  const run = readRun(dir);
  assert.equal(run.lastMetric?.step, 20);
  assert.equal(run.lastMetric?.epoch, 2);
});

test("readLastJsonLine reads only the tail of a big file", () => {
  const dir = tmp();
  const file = path.join(dir, "m.jsonl");
  const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ step: i, pad: "x".repeat(50) }));
  write(file, lines.join("\n") + "\n");
  assert.deepEqual(readLastJsonLine(file, 4096), { step: 4999, pad: "x".repeat(50) });
  // A tail shorter than one line finds nothing whole rather than a fragment.
  assert.equal(readLastJsonLine(file, 20), undefined);
  assert.equal(readLastJsonLine(path.join(dir, "missing.jsonl")), undefined);
  write(path.join(dir, "empty.jsonl"), "");
  assert.equal(readLastJsonLine(path.join(dir, "empty.jsonl")), undefined);
});
