// The loss-curves data path: the metrics files of a run → columns → smoothed,
// downsampled plot data and the CSV export.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { MetricRow } from "../../src/protocol/runFiles";
import { RunDir } from "../../src/trainer/runDir";
import { RECORD_FILES } from "../../src/core/run/metricRecords";
import { readRunSeries, appendLines } from "../../src/core/curves/readRunSeries";
import { RunSeries } from "../../src/core/curves/runSeries";
import { smoothEma } from "../../src/core/curves/smoothing";
import { downsampleIndices } from "../../src/core/curves/downsample";
import { plotData, SmoothingCache } from "../../src/core/curves/plotData";
import { curvesCsv } from "../../src/core/curves/csv";

const trainRow = (step: number): MetricRow => ({ kind: "train", step, epoch: step / 10, loss: 5 / Math.sqrt(step) + 0.1 * Math.sin(step), lr: 0.1 * (1 - step / 1000), imagesPerSec: 100 + (step % 7), time: step * 0.25 });
const evalRow = (step: number, knn?: number): MetricRow => ({ kind: "eval", step, epoch: step / 10, time: step * 0.25 + 0.1, ...(knn === undefined ? {} : { knn }), collapse: { std: 0.1, stdRatio: 1, effectiveRank: 10, dim: 16, collapsed: false } });

function runWith(rows: MetricRow[]): string {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "curves-"));
  const run = RunDir.create(parent, { method: "simclr" }, () => {});
  for (const r of rows) run.metric(r);
  return run.dir;
}

const sampleRows = (): MetricRow[] => {
  const rows: MetricRow[] = [evalRow(0, 0.5)];
  for (let s = 1; s <= 300; s++) {
    rows.push(trainRow(s));
    if (s % 100 === 0) rows.push(evalRow(s, s === 200 ? undefined : 0.5 + s / 1000));
  }
  return rows;
};

function parsedSlowly(dir: string): RunSeries {
  const series = new RunSeries();
  appendLines(series, fs.readFileSync(path.join(dir, "metrics.jsonl")));
  return series;
}

test("the record files read back the same columns as parsing metrics.jsonl", () => {
  const dir = runWith(sampleRows());
  const fast = readRunSeries(dir);
  assert.equal(fast.fastPath, true);
  const slow = parsedSlowly(dir);
  for (const f of ["step", "epoch", "time", "loss", "lr", "imagesPerSec"] as const) assert.deepEqual([...fast.series.train.column(f)], [...slow.train.column(f)], f);
  for (const f of ["step", "knn", "collapseStd"] as const) assert.deepEqual([...fast.series.eval.column(f)], [...slow.eval.column(f)], f);
  assert.equal(fast.series.train.count, 300);
  assert.equal(fast.series.eval.count, 4);
  assert.ok(Number.isNaN(fast.series.eval.column("knn")[2]!), "an evaluation without kNN has no kNN point");
  assert.equal(fast.offset, fs.statSync(path.join(dir, "metrics.jsonl")).size);
});

test("a binary file that disagrees with metrics.jsonl is not trusted; a torn record is dropped", () => {
  const dir = runWith(sampleRows());
  // A crash between the two appends: metrics.jsonl has a row the binary file lacks.
  fs.appendFileSync(path.join(dir, "metrics.jsonl"), JSON.stringify(trainRow(301)) + "\n");
  const behind = readRunSeries(dir);
  assert.equal(behind.fastPath, false);
  assert.equal(behind.series.train.count, 301);
  assert.equal(behind.series.train.last("step"), 301);

  const torn = runWith(sampleRows());
  fs.appendFileSync(path.join(torn, RECORD_FILES.eval), Buffer.alloc(30, 1));
  fs.appendFileSync(path.join(torn, RECORD_FILES.train), Buffer.alloc(20, 1));
  fs.appendFileSync(path.join(torn, "metrics.jsonl"), '{"kind":"train","step":30'); // torn line too
  const r = readRunSeries(torn);
  assert.equal(r.fastPath, true);
  assert.equal(r.series.train.count, 300);

  // The same for an eval row: its record is missing.
  const evalBehind = runWith(sampleRows());
  fs.appendFileSync(path.join(evalBehind, "metrics.jsonl"), JSON.stringify(evalRow(301, 0.99)) + "\n");
  const e = readRunSeries(evalBehind);
  assert.equal(e.fastPath, false);
  assert.deepEqual([...e.series.eval.column("knn")].slice(-1), [0.99]);

  const old = runWith(sampleRows());
  fs.rmSync(path.join(old, RECORD_FILES.train));
  assert.equal(readRunSeries(old).fastPath, false, "runs from before the binary file are parsed");
  assert.equal(readRunSeries(old).series.train.count, 300);
});

test("a resume's truncation rewrites both files and they stay consistent", () => {
  const dir = runWith(sampleRows());
  const run = RunDir.open(dir, () => {});
  run.truncateMetricsAfter(150);
  for (let s = 151; s <= 160; s++) run.metric(trainRow(s));
  const r = readRunSeries(dir);
  assert.equal(r.fastPath, true);
  assert.equal(r.series.train.count, 160);
  assert.deepEqual([...r.series.eval.column("step")], [0, 100]);
});

test("live rows append once: rows the file already gave are skipped", () => {
  const dir = runWith(sampleRows());
  const { series } = readRunSeries(dir);
  assert.equal(series.append(trainRow(300)), false);
  assert.equal(series.append(evalRow(300, 0.9)), false);
  for (let s = 301; s <= 500; s++) assert.equal(series.append(trainRow(s)), true);
  assert.equal(series.train.count, 500);
  assert.equal(series.train.column("loss")[499], (trainRow(500) as { loss: number }).loss);
});

test("smoothing is TensorBoard's debiased EMA; weight 0 is the raw series; NaN passes through", () => {
  const y = Float64Array.from([1, 2, NaN, 4]);
  const w = 0.6;
  const s = smoothEma(y, w);
  // by hand: last = 0.4; 0.4/(1-0.6) = 1 | last = 0.24+0.8 = 1.04; /(1-0.36) = 1.625 | NaN | last = 0.624+1.6 = 2.224; /(1-0.216)
  assert.ok(Math.abs(s[0]! - 1) < 1e-12);
  assert.ok(Math.abs(s[1]! - 1.625) < 1e-12);
  assert.ok(Number.isNaN(s[2]!));
  assert.ok(Math.abs(s[3]! - 2.224 / 0.784) < 1e-12);
  assert.deepEqual([...smoothEma(Float64Array.from([3, 1, 2]), 0)], [3, 1, 2]);
});

test("downsampling keeps each bucket's extremes and ends, ascending; few points are all kept", () => {
  const n = 100_000;
  const x = Float64Array.from({ length: n }, (_, i) => i);
  const y = Float64Array.from({ length: n }, (_, i) => Math.sin(i / 500) + (i === 31_337 ? 10 : 0) + (i === 77_777 ? -10 : 0));
  const idx = downsampleIndices(x, [y], 0, n, 200);
  assert.ok(idx.length <= 200 * 4 && idx.length >= 400, `${idx.length} points`);
  for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!, "ascending, no repeats");
  assert.ok(idx.includes(31_337) && idx.includes(77_777), "the spikes survive");
  assert.equal(idx[0], 0);
  assert.equal(idx[idx.length - 1], n - 1);
  // Every bucket's max is kept: the max over any bucket of the picked points equals the full data's.
  for (let b = 0; b < 200; b++) {
    const lo = (b * n) / 200;
    const hi = ((b + 1) * n) / 200;
    let full = -Infinity;
    for (let i = Math.ceil(lo); i < hi; i++) full = Math.max(full, y[i]!);
    const shown = Math.max(...[...idx].filter((i) => i >= lo && i < hi).map((i) => y[i]!));
    assert.equal(shown, full, `bucket ${b}`);
  }
  assert.deepEqual([...downsampleIndices(x, [y], 10, 50, 200)], Array.from({ length: 40 }, (_, i) => 10 + i));
});

test("plot data: smoothed on the full series (the same at any width), and zooming in shows the real points", () => {
  const series = new RunSeries();
  for (let s = 1; s <= 50_000; s++) series.append(trainRow(s));
  const full = smoothEma(series.train.column("loss"), 0.9);
  for (const buckets of [50, 300, 2000]) {
    const p = plotData(series, { metric: "loss", xAxis: "step", smoothing: 0.9, buckets });
    assert.equal(p.inRange, 50_000);
    assert.ok(p.x.length <= buckets * 6);
    p.x.forEach((step, i) => assert.equal(p.smooth[i], full[step - 1], `smoothed value at step ${step} with ${buckets} buckets`));
  }
  const zoom = plotData(series, { metric: "loss", xAxis: "step", smoothing: 0.9, buckets: 500, range: [1000, 1100] });
  assert.deepEqual([...zoom.x], Array.from({ length: 103 }, (_, i) => 999 + i), "every step in the range, one beyond each edge");
  assert.deepEqual(zoom.extent, [1, 50_000]);
  const byTime = plotData(series, { metric: "loss", xAxis: "time", smoothing: 0, buckets: 500, range: [10, 20] });
  assert.equal(byTime.x[1], 10);
  const knn = plotData(runWithSeries(), { metric: "knn", xAxis: "epoch", smoothing: 0, buckets: 100 });
  assert.deepEqual([...knn.x], [0, 10, 30], "the evaluation without kNN is not a point");
});

function runWithSeries(): RunSeries {
  return readRunSeries(runWith(sampleRows())).series;
}

test("CSV export: every point in the range, with its step, epoch, time and smoothed value", () => {
  const csv = curvesCsv([{ label: 'run "a"', series: runWithSeries() }, { label: "b", series: runWithSeries() }], "loss", "step", 0.5, [11, 20]);
  const lines = csv.trim().split("\n");
  assert.equal(lines[0], "run,step,epoch,time,loss,loss_smoothed");
  assert.equal(lines.length, 1 + 2 * 10);
  const first = lines[1]!.split(",");
  const row = trainRow(11) as { loss: number };
  assert.equal(lines[1]!.startsWith('"run ""a""",11,1.1,2.75,'), true, lines[1]);
  assert.equal(Number(first[first.length - 2]), row.loss);
  const smoothed = smoothEma(runWithSeries().train.column("loss"), 0.5)[10]!;
  assert.equal(Number(first[first.length - 1]), smoothed);
  assert.throws(() => curvesCsv([], "nope", "step", 0), /unknown metric/);
});

test("live rows extend the cached smoothing: the same values as smoothing the grown series from scratch", () => {
  const series = new RunSeries();
  for (let s = 1; s <= 1000; s++) series.append(trainRow(s));
  const cache = new SmoothingCache();
  plotData(series, { metric: "loss", xAxis: "step", smoothing: 0.8, buckets: 100 }, cache);
  for (let s = 1001; s <= 1200; s++) series.append(trainRow(s));
  const grown = plotData(series, { metric: "loss", xAxis: "step", smoothing: 0.8, buckets: 10_000 }, cache);
  assert.deepEqual([...grown.smooth], [...smoothEma(series.train.column("loss"), 0.8)]);
  const other = plotData(series, { metric: "lr", xAxis: "step", smoothing: 0.8, buckets: 10_000 }, cache);
  assert.deepEqual([...other.smooth], [...smoothEma(series.train.column("lr"), 0.8)], "another metric starts over");
});
