/**
 * The Loss Curves panel's host through the stand-in `vscode` module: what
 * it sends the page for a run on disk, the page's view requests (a metric,
 * a zoom, nonsense), a run trained elsewhere followed as its file grows, the
 * runs the page ticks, and the CSV export through the save dialog.
 */
import { after, afterEach, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { HostToPanel, PanelToHost } from "../../src/protocol/lossCurves";
import type { MetricRow } from "../../src/protocol/runFiles";
import { RunDir } from "../../src/trainer/runDir";
import { activateOn, fakeWebviewPanels, vscodeStub, type FakeWebviewPanel } from "./vscodeStubHost";

const { stub } = vscodeStub;
type Panel = FakeWebviewPanel<HostToPanel, PanelToHost>;
type Plot = Extract<HostToPanel, { type: "plot" }>;
const panels = fakeWebviewPanels<HostToPanel, PanelToHost>();
const extension = require("../../src/extension/extension") as typeof import("../../src/extension/extension");

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-curves-ext-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let deactivate = () => {};
afterEach(() => {
  deactivate();
  deactivate = () => {};
  panels.length = 0;
});
const activate = (ws: string) => (deactivate = activateOn(extension, ws));

const train = (step: number): MetricRow => ({ kind: "train", step, epoch: step / 10, loss: 2 / step, lr: 0.1, imagesPerSec: 100, time: step });
const evalRow = (step: number, knn: number): MetricRow => ({ kind: "eval", step, epoch: step / 10, time: step, knn });

/** A workspace with one experiment and a run of `steps` logged steps; `running` marks it as trained by a live process elsewhere. */
function workspaceWithRun(name: string, steps: number, running: boolean): { ws: string; run: RunDir } {
  const ws = path.join(root, name);
  fs.mkdirSync(ws, { recursive: true });
  fs.writeFileSync(path.join(ws, `${name}.ssl.json`), JSON.stringify({ method: "simclr", dataset: { format: "embedded", name: "fashion-mnist-5k" } }));
  const run = RunDir.create(path.join(ws, "runs", name), { method: "simclr", train: { lr: 0.1 } }, () => {});
  for (let s = 1; s <= steps; s++) {
    run.metric(train(s));
    if (s % 10 === 0) run.metric(evalRow(s, 0.5 + s / 1000));
  }
  run.writeSummary({ experiment: name, runId: run.runId, method: "simclr", status: running ? "running" : "finished", pid: running ? process.pid : undefined, backend: "cpu", startedAt: new Date().toISOString(), epochs: 1, epochsDone: 0, steps, trainImages: 10, skippedImages: 0, wallSeconds: 1 });
  return { ws, run };
}

const nextPlot = (panel: Panel, match: (p: Plot) => boolean) => panel.next((m): m is Plot => m.type === "plot" && match(m), { timeoutMs: 10_000 });

async function openOn(runDir: string): Promise<Panel> {
  await stub.commands.get("ssl.showLossCurves")!(runDir);
  const panel = panels.at(-1)!;
  assert.equal(panel.viewType, "ssl.lossCurves");
  assert.match(panel.webview.html, /lossCurves\.js/);
  panel.send({ type: "ready" });
  return panel;
}

test("a run on disk: its points, a metric and zoom on request, nonsense ignored, CSV through the save dialog", async () => {
  const { ws, run } = workspaceWithRun("ondisk", 200, false);
  activate(ws);
  const panel = await openOn(run.dir);
  const runs = panel.posted.find((m): m is Extract<HostToPanel, { type: "runs" }> => m.type === "runs")!;
  assert.deepEqual(runs.runs.map((r) => [r.runId, r.shown, r.state]), [[run.runId, true, "finished"]]);
  const first = await nextPlot(panel, (p) => p.runs.length === 1);
  assert.equal(first.runs[0]!.inRange, 200);
  assert.equal(first.runs[0]!.label, `ondisk/${run.runId}`);
  assert.deepEqual(first.extent, [1, 200]);

  const view = { ...first.view, width: 50 };
  panel.send({ type: "view", id: 1, view: { ...view, metric: "knn" } });
  const knn = await nextPlot(panel, (p) => p.id === 1);
  assert.equal(knn.runs[0]!.inRange, 20, "one point per evaluation");
  panel.send({ type: "view", id: 2, view: { ...view, range: [100, 120] } });
  const zoom = await nextPlot(panel, (p) => p.id === 2);
  assert.deepEqual(zoom.runs[0]!.x, Object.fromEntries(Array.from({ length: 23 }, (_, i) => [i, 99 + i])), "the real steps of the range (a structured clone of a Float64Array)");
  panel.send({ type: "view", id: 3, view: { ...view, metric: "nope", width: -5, smoothing: 7, range: [5, 1] } as never });
  const sane = await nextPlot(panel, (p) => p.id === 3);
  assert.deepEqual([sane.view.metric, sane.view.width, sane.view.smoothing, sane.view.range], ["loss", 50, 0.999, undefined]);

  const csv = path.join(ws, "out.csv");
  stub.answer = (kind) => (kind === "save" ? csv : undefined);
  panel.send({ type: "exportCsv" });
  await stub.nextMessage(/saved out\.csv/);
  assert.equal(fs.readFileSync(csv, "utf8").trim().split("\n").length, 201);
});

test("a run trained elsewhere is followed as its file grows; the page's ticks choose the runs", async () => {
  const { ws, run } = workspaceWithRun("elsewhere", 30, true);
  activate(ws);
  const panel = await openOn(run.dir);
  await nextPlot(panel, (p) => p.runs[0]?.inRange === 30);
  for (let s = 31; s <= 45; s++) run.metric(train(s));
  const grown = await nextPlot(panel, (p) => p.id === 0 && p.runs[0]?.inRange === 45);
  assert.equal(grown.runs[0]!.live, true);
  panel.send({ type: "setRuns", runDirs: [] });
  await nextPlot(panel, (p) => p.runs.length === 0);
  panel.send({ type: "setRuns", runDirs: [run.dir, "/not/a/run"] });
  const back = await nextPlot(panel, (p) => p.runs.length === 1 && p.runs[0]!.inRange === 45);
  assert.equal(back.runs[0]!.runDir, run.dir, "unknown folders are dropped");
});
