/**
 * The Checkpoint Browser's extension side in plain Node: its decisions (the
 * table's sorting, the HPT experiment file, which test images to ask about,
 * what a command argument points at), the worker client against a fake
 * worker (crash, restart, idle stop), and the whole loop against the
 * stand-in `vscode` module (extension.vscodeStub.ts) with a fake webview,
 * a run made by the built CLI and the built worker and trainer: open from
 * the tree, evaluate, export, neighbours, a new experiment, reveal, delete
 * (asked first), resume from an earlier checkpoint, and the worker gone
 * when the panel closes.
 */
import { after, afterEach, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { CheckpointRow, HostToPanel, PanelJob, PanelTable, PanelToHost } from "../../src/protocol/checkpointBrowser";
import { loadExperiment } from "../../src/core/config/load";
import { pickQueries } from "../../src/core/eval/neighbours";
import { readCheckpointEval } from "../../src/core/run/checkpointEval";
import type { RunEvent } from "../../src/protocol/runFiles";
import { nextSort, sortRows } from "../../webview/checkpointBrowser/columns";
import { onlyRun, readLines, runCli, writeTinyExperiment } from "../smoke/cliRun";
import { activateOn, childPids, fakeWebviewPanels, until, vscodeStub, type FakeWebviewPanel } from "./vscodeStubHost";

const { stub, Uri } = vscodeStub;
type StubUri = ReturnType<typeof Uri.file>;

type Panel = FakeWebviewPanel<HostToPanel, PanelToHost>;
const panels = fakeWebviewPanels<HostToPanel, PanelToHost>();

const extension = require("../../src/extension/extension") as typeof import("../../src/extension/extension");
const { experimentOfRun, targetOf } = require("../../src/extension/checkpointBrowser/command") as typeof import("../../src/extension/checkpointBrowser/command");
const { hptExperimentText, hptFile } = require("../../src/extension/checkpointBrowser/hptExperiment") as typeof import("../../src/extension/checkpointBrowser/hptExperiment");
const { CheckpointWorkerClient } = require("../../src/extension/checkpointBrowser/workerClient") as typeof import("../../src/extension/checkpointBrowser/workerClient");

const repo = path.resolve(__dirname, "../..");
const built = ["cli.js", "trainer.js", "checkpointBrowser.js"].every((f) => fs.existsSync(path.join(repo, "dist", f)));
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-browser-ext-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

// ---- decisions ----

const row = (o: Partial<CheckpointRow>): CheckpointRow => ({ dir: "/r/c", runId: "r", runDir: "/r", name: "0", label: "epoch 0", epoch: 0, step: 0, savedAt: "", bytes: 0, backend: "wasm", resumable: true, ...o });

test("sorting: a header click sorts ascending, the next descending; unmeasured values always last; ties keep their order", () => {
  const rows = [row({ dir: "a", knn: 0.5, step: 8 }), row({ dir: "b", step: 0 }), row({ dir: "c", knn: 0.7, step: 4 }), row({ dir: "d", knn: 0.5, step: 12 })];
  const asc = nextSort(undefined, "knn");
  assert.deepEqual(asc, { key: "knn", direction: "ascending" });
  assert.deepEqual(sortRows(rows, asc).map((r) => r.dir), ["a", "d", "c", "b"]);
  const desc = nextSort(asc, "knn");
  assert.deepEqual(sortRows(rows, desc).map((r) => r.dir), ["c", "a", "d", "b"]);
  assert.deepEqual(nextSort(desc, "step"), { key: "step", direction: "ascending" });
  assert.deepEqual(sortRows(rows, { key: "checkpoint", direction: "descending" }).map((r) => r.dir), ["d", "a", "c", "b"], "the checkpoint column sorts by step");
  assert.deepEqual(sortRows(rows, undefined).map((r) => r.dir), ["a", "b", "c", "d"], "no sort: the host's order");
});

test("the HPT experiment: the source's text with init and a name of its own, beside it, never over another file", () => {
  const src = `// base
{
  "name": "base",
  "method": "simclr", // the method
  "init": { "checkpoint": "old", "trainable": "all" }
}
`;
  const file = hptFile("/w/exp/base.ssl.json", (f) => f === "/w/exp/base-hpt.ssl.json");
  assert.equal(file, "/w/exp/base-hpt-2.ssl.json");
  const text = hptExperimentText(src, file, "/w/exp/runs/base/r1/checkpoints/3", "batchnorm");
  assert.match(text, /^\/\/ base\n/);
  assert.match(text, /"method": "simclr", \/\/ the method/);
  assert.match(text, /"name": "base-hpt-2"/);
  assert.match(text, /"init": \{\s*"checkpoint": "runs\/base\/r1\/checkpoints\/3",\s*"trainable": "batchnorm"\s*\}/);
  assert.doesNotMatch(hptExperimentText('{ "method": "byol" }', "/w/b-hpt.ssl.json", "/w/runs/b/r/checkpoints/1", "all"), /"name"/, "no name in the source: the file name gives it");
  assert.throws(() => hptExperimentText("[1]", "/w/x.ssl.json", "/c", "all"), /not a JSON object/);
});

test("query images: the first of each class met, topped up when there are fewer classes; evenly spaced without labels", () => {
  assert.deepEqual(pickQueries(4, 8, Int32Array.from([3, 3, 1, 3, 2, 1, 0, 2])), [0, 2, 4, 6]);
  assert.deepEqual(pickQueries(4, 5, Int32Array.from([1, 1, 2, 1, 2])), [0, 2, 1, 3]);
  assert.deepEqual(pickQueries(4, 100), [0, 25, 50, 75]);
  assert.deepEqual(pickQueries(4, 2), [0, 1]);
});

// ---- the worker client ----

/** A fake worker: answers "ok" with one progress line; a job on "/crash" kills it; "/slow" answers after 300 ms. */
function fakeWorker(): string {
  const file = path.join(root, "fake-worker.js");
  fs.writeFileSync(
    file,
    `process.send({ type: "ready", backend: "fake" });
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => {
  if (m.job.checkpoint === "/crash") { console.error("Error: out of tensors"); process.exit(4); }
  process.send({ type: "progress", id: m.id, message: "working " + m.job.kind });
  setTimeout(() => process.send({ type: "done", id: m.id, seconds: 0.1, result: { kind: "evaluate", report: { knn: 0.5 } } }), m.job.checkpoint === "/slow" ? 300 : 10);
});
`,
  );
  return file;
}

test("worker client: progress, then the result; a crash fails every pending job with its reason and the next job restarts it; idle stop", async () => {
  const lines: string[] = [];
  const client = new CheckpointWorkerClient({ script: fakeWorker(), cwd: root, idleMs: 300, log: (l) => lines.push(l) });
  try {
    const progress: string[] = [];
    const first = await client.run({ kind: "evaluate", checkpoint: "/a", protocols: ["knn"] }, (m) => progress.push(m));
    assert.deepEqual(first, { type: "done", seconds: 0.1, result: { kind: "evaluate", report: { knn: 0.5 } } });
    assert.deepEqual(progress, ["working evaluate"]);
    assert.equal(client.backend, "fake");
    const pid = client.pid;
    const slow = client.run({ kind: "evaluate", checkpoint: "/slow", protocols: ["knn"] });
    const crash = await client.run({ kind: "evaluate", checkpoint: "/crash", protocols: ["knn"] });
    assert.equal(crash.type, "failed");
    assert.match((crash as { error: string }).error, /The checkpoint worker stopped: it exited with code 4: Error: out of tensors\. It restarts with the next action\./);
    assert.equal((await slow).type, "failed", "the job queued behind the crash fails too");
    assert.equal((await client.run({ kind: "neighbours", checkpoint: "/b", queries: 1, k: 1 })).type, "done");
    assert.equal(client.starts, 2);
    assert.notEqual(client.pid, pid);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(client.running, false, "stopped when idle");
    assert.ok(lines.some((l) => l === "checkpoint worker idle: stopping it"), lines.join("\n"));
  } finally {
    client.dispose();
  }
  assert.equal((await client.run({ kind: "evaluate", checkpoint: "/a", protocols: ["knn"] })).type, "failed", "a disposed client runs nothing");
});

// ---- the whole loop ----

let deactivate = () => {};
afterEach(() => {
  deactivate();
  deactivate = () => {};
});
const activate = (ws: string) => (deactivate = activateOn(extension, ws));

const run = (id: string, ...args: unknown[]) => stub.commands.get(id)!(...args);

const nextPosted = <T extends HostToPanel>(panel: Panel, match: (m: HostToPanel) => m is T, from = 0, timeoutMs = 90_000) => panel.next(match, { from, timeoutMs, describe: (m) => (m.type === "job" ? `job ${m.action} ${m.state}: ${m.message}` : m.type) });

const table = (m: HostToPanel): m is PanelTable => m.type === "table";
const jobEnd = (action: PanelJob["action"]) => (m: HostToPanel): m is PanelJob => m.type === "job" && m.action === action && m.state !== "running";
const lastTable = (p: Panel) => [...p.posted].reverse().find(table)!;

const workerPids = () => childPids("dist/checkpointBrowser.js");

let ws = "";
let runDir = "";
let file = "";
before(async () => {
  if (!built) return;
  ws = path.join(root, "ws");
  fs.mkdirSync(ws);
  file = writeTinyExperiment(ws, "tiny", { train: { epochs: 2, batchSize: 64, optimizer: "adam", lr: 0.002, warmupEpochs: 0, logEvery: 1 } });
  const r = await runCli(["pretrain", file], ws);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  runDir = onlyRun(path.join(ws, "runs", "tiny"));
});

test("what a command argument points at: tree nodes, run and checkpoint folders, the experiment file; the run's experiment", { skip: !built && "dist not built (npm run build)" }, async () => {
  activate(ws);
  const ckpt = path.join(runDir, "checkpoints", "1");
  assert.equal(experimentOfRun(runDir, [file]), file, "the experiment whose runs folder holds it");
  assert.equal(experimentOfRun(runDir, []), file, "else the file the trainer named when it started");
  assert.deepEqual(await targetOf(Uri.file(ckpt)), { experimentFile: file, experimentName: "tiny", scope: { kind: "run", runDir }, selected: ckpt });
  assert.deepEqual(await targetOf(Uri.file(runDir)), { experimentFile: file, experimentName: "tiny", scope: { kind: "run", runDir }, selected: undefined });
  assert.deepEqual(await targetOf(Uri.file(file)), { experimentFile: file, experimentName: "tiny", scope: { kind: "experiment", runsDir: path.join(ws, "runs", "tiny") } });
  assert.equal(await targetOf(Uri.file(path.join(runDir, "checkpoints"))), undefined);
  const [exp] = (await stub.treeProvider!.getChildren()) as { kind: string }[];
  assert.deepEqual(await targetOf(exp), { experimentFile: file, experimentName: "tiny", scope: { kind: "experiment", runsDir: path.join(ws, "runs", "tiny") } });
  const [runNode] = (await stub.treeProvider!.getChildren(exp)) as { kind: string }[];
  const ckptNodes = (await stub.treeProvider!.getChildren(runNode)) as { kind: string; checkpoint: { dir: string } }[];
  assert.equal((await targetOf(ckptNodes[0]))?.selected, path.join(runDir, "checkpoints", "2"), "the tree lists checkpoints newest first");
  assert.equal(await targetOf("elsewhere"), undefined);
});

test("an MAE run: the selected checkpoint's saved reconstructions reach the page; its ViT offers no TF.js export, and says why", async () => {
  const mws = path.join(root, "mae-ws");
  const runDir = path.join(mws, "runs", "mae", "20260101-000000");
  fs.mkdirSync(path.join(runDir, "snapshots"), { recursive: true });
  fs.writeFileSync(path.join(runDir, "config.json"), JSON.stringify({ method: "mae", model: { backbone: "vit" }, train: { epochs: 3 } }));
  fs.writeFileSync(path.join(runDir, "summary.json"), JSON.stringify({ status: "stopped", epochs: 3, startedAt: "2026-01-01T00:00:00Z" }));
  fs.writeFileSync(path.join(runDir, "metrics.jsonl"), [{ kind: "eval", step: 0, epoch: 0, snapshot: "snapshots/epoch-0.png" }, { kind: "eval", step: 4, epoch: 1, snapshot: "snapshots/epoch-1.png" }].map((r) => JSON.stringify(r)).join("\n") + "\n");
  const png = Buffer.from("\x89PNG epoch 1 reconstructions");
  fs.writeFileSync(path.join(runDir, "snapshots", "epoch-1.png"), png);
  for (const [name, step] of [["0", 0], ["1", 4]] as const) {
    fs.mkdirSync(path.join(runDir, "checkpoints", name), { recursive: true });
    fs.writeFileSync(path.join(runDir, "checkpoints", name, "meta.json"), JSON.stringify({ epoch: Number(name), step, savedAt: "2026-01-01T00:00:00Z", loss: 1, backend: "cpu", seed: 0, wallSeconds: 1, files: { "tensors.bin": 40 } }));
  }
  activate(mws);
  const before = panels.length;
  await run("ssl.browseCheckpoints", Uri.file(path.join(runDir, "checkpoints", "1")));
  const panel = panels.at(-1)!;
  assert.equal(panels.length, before + 1);
  panel.send({ type: "ready" });
  const t = await nextPosted(panel, table);
  assert.deepEqual(t.rows.map((r) => [r.name, r.snapshot, r.resumable]), [["0", "snapshots/epoch-0.png", true], ["1", "snapshots/epoch-1.png", true]]);
  assert.match(t.rows[1]!.exportProblem!, /ViT backbones cannot be exported/);
  const snap = await nextPosted(panel, (m): m is Extract<HostToPanel, { type: "snapshot" }> => m.type === "snapshot" && m.checkpoint === path.join(runDir, "checkpoints", "1"));
  assert.equal(snap.png, png.toString("base64"));
  const mark = panel.posted.length;
  panel.send({ type: "select", checkpoint: path.join(runDir, "checkpoints", "0") });
  const none = await nextPosted(panel, (m): m is Extract<HostToPanel, { type: "snapshot" }> => m.type === "snapshot", mark);
  assert.equal(none.png, undefined, "epoch 0's file is missing: no picture, a warning in the log");
  assert.ok(stub.log.some((l) => /snapshots\/epoch-0\.png/.test(l)));
  panel.send({ type: "exportModel", checkpoint: path.join(runDir, "checkpoints", "1") });
  const refused = await nextPosted(panel, jobEnd("exportModel"), mark);
  assert.equal(refused.state, "failed");
  assert.match((await stub.nextMessage(/ViT backbones/)).text, /Export the embeddings instead/);
  panel.dispose();
});

test(
  "from the tree: the table, evaluate, export, neighbours, a new experiment, reveal, delete (asked first), resume from an earlier checkpoint; closing stops the worker",
  { skip: !built && "dist not built (npm run build)", timeout: 300_000 },
  async () => {
    activate(ws);
    const [exp] = (await stub.treeProvider!.getChildren()) as object[];
    const [runNode] = (await stub.treeProvider!.getChildren(exp)) as object[];
    const opened = panels.length;
    await run("ssl.browseCheckpoints", runNode);
    assert.equal(panels.length, opened + 1);
    const panel = panels.at(-1)!;
    assert.equal(panel.viewType, "ssl.checkpointBrowser");
    assert.equal(panel.title, `Checkpoints: ${path.basename(runDir)}`);
    assert.match(panel.webview.html, /<script nonce="[^"]+" src="[^"]*dist\/webview\/checkpointBrowser\.js">/);
    assert.match(panel.webview.html, /img-src data:;/);
    panel.send({ type: "ready" });
    const first = await nextPosted(panel, table);
    assert.deepEqual(first.rows.map((r) => r.name), ["0", "1", "2"]);
    assert.equal(first.selected, path.join(runDir, "checkpoints", "2"), "the newest checkpoint is selected");
    const ckpt = (n: string) => path.join(runDir, "checkpoints", n);

    // Evaluate the rotation probe on epoch 1: a notification with progress, the value in the table and in eval.json.
    assert.equal(first.rows[1]!.rotation, undefined);
    let mark = panel.posted.length;
    panel.send({ type: "evaluate", checkpoint: ckpt("1"), protocol: "rotation" });
    const evaluated = await nextPosted(panel, jobEnd("evaluate"), mark);
    assert.equal(evaluated.state, "done", evaluated.message);
    assert.match(evaluated.message, new RegExp(`^${path.basename(runDir)} epoch 1: rotation probe \\d+\\.\\d%`));
    const note = stub.progress.find((p) => p.title === `SSL: evaluating (rotation probe) · ${path.basename(runDir)} epoch 1`)!;
    assert.ok(note, stub.progress.map((p) => p.title).join(", "));
    assert.ok(note.reports.some((r) => r.message === "rotation probe…"), JSON.stringify(note.reports));
    const stored = readCheckpointEval(ckpt("1"))!.report.rotation!;
    assert.equal(lastTable(panel).rows[1]!.rotation, stored);
    assert.ok(panel.posted.slice(mark).some((m) => m.type === "job" && m.action === "evaluate" && m.state === "running" && m.message.endsWith("rotation probe…")));

    // Export the model of epoch 2.
    mark = panel.posted.length;
    stub.shown = [];
    panel.send({ type: "exportModel", checkpoint: ckpt("2") });
    const exported = await nextPosted(panel, jobEnd("exportModel"), mark);
    assert.equal(exported.state, "done", exported.message);
    assert.match(exported.message, /^TensorFlow\.js model \(tf\.loadLayersModel\): model\.json \+ weights\.bin \([\d.]+ KiB\) in runs\/tiny\/[^/]+\/exports\/epoch-2-tfjs$/);
    assert.ok(fs.existsSync(path.join(runDir, "exports", "epoch-2-tfjs", "model.json")));
    assert.deepEqual((await stub.nextMessage(/TensorFlow\.js model/)).items, ["Reveal"]);

    // Neighbours of epoch 2.
    mark = panel.posted.length;
    panel.send({ type: "neighbours", checkpoint: ckpt("2") });
    const gallery = await nextPosted(panel, (m): m is Extract<HostToPanel, { type: "gallery" }> => m.type === "gallery", mark);
    assert.equal(gallery.gallery.queries.length, 4);
    assert.ok(gallery.gallery.queries.every((q) => q.neighbours.length === 5));

    // A new experiment from epoch 2, BatchNorm only: written beside the source, valid, opened.
    mark = panel.posted.length;
    panel.send({ type: "newExperiment", checkpoint: ckpt("2"), trainable: "batchnorm" });
    const created = await nextPosted(panel, jobEnd("newExperiment"), mark);
    assert.equal(created.state, "done", created.message);
    const hpt = path.join(ws, "tiny-hpt.ssl.json");
    const loaded = loadExperiment(hpt);
    assert.equal(loaded.name, "tiny-hpt");
    assert.deepEqual(loaded.config.init, { checkpoint: path.relative(ws, ckpt("2")), trainable: "batchnorm", bnBatches: 50 });
    assert.ok(stub.opened.some((o) => o.file === hpt));

    // Reveal: the OS file manager on this (desktop) machine.
    panel.send({ type: "reveal", checkpoint: ckpt("1") });
    await until("revealFileInOS", () => stub.executed.some((e) => e.id === "revealFileInOS"));
    assert.equal((stub.executed.find((e) => e.id === "revealFileInOS")!.args[0] as StubUri).fsPath, ckpt("1"));

    // Delete epoch 0: dismissing the question keeps it; confirming removes the folder and the row.
    let asked = "";
    stub.answer = (_kind, text) => {
      asked = text;
      return undefined;
    };
    panel.send({ type: "delete", checkpoint: ckpt("0") });
    await until("the question", () => asked !== "");
    assert.match(asked, /^Delete checkpoint epoch 0 of \S+ \([\d.]+ KiB\)\? Its folder is removed from disk; this cannot be undone\.$/);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(fs.existsSync(ckpt("0")), "dismissed: kept");
    stub.answer = (kind, _text, items) => (kind === "warn" && items.includes("Delete") ? "Delete" : undefined);
    mark = panel.posted.length;
    panel.send({ type: "delete", checkpoint: ckpt("0") });
    const deleted = await nextPosted(panel, jobEnd("delete"), mark);
    assert.equal(deleted.state, "done");
    assert.ok(!fs.existsSync(ckpt("0")));
    assert.deepEqual(fs.readdirSync(path.join(runDir, "checkpoints")).sort(), ["1", "2"], "nothing left behind");
    assert.deepEqual(lastTable(panel).rows.map((r) => r.name), ["1", "2"]);
    assert.equal(((await stub.treeProvider!.getChildren(runNode)) as object[]).length, 2, "the tree lists what is on disk");
    mark = panel.posted.length;
    panel.send({ type: "evaluate", checkpoint: ckpt("0"), protocol: "knn" });
    assert.match((await nextPosted(panel, jobEnd("evaluate"), mark)).message, /no longer on disk/);

    // Resume from epoch 1: asked (epoch 2 goes), then the trainer retraces epoch 2.
    const weights = fs.readFileSync(path.join(ckpt("2"), "tensors.bin"));
    stub.answer = (kind, _text, items) => (kind === "warn" && items.includes("Resume") ? "Resume" : undefined);
    mark = panel.posted.length;
    panel.send({ type: "resume", checkpoint: ckpt("1") });
    const resumed = await nextPosted(panel, jobEnd("resume"), mark, 120_000);
    assert.equal(resumed.state, "done", resumed.message);
    assert.ok(stub.shown.some((s) => /^Resume \S+ from epoch 1\? Its 1 later checkpoint \(epoch 2\) and the metrics logged after step 4 are discarded\.$/.test(s.text)), stub.shown.map((s) => s.text).join("\n"));
    assert.ok(stub.shown.some((s) => /SSL: tiny finished/.test(s.text)), stub.shown.map((s) => s.text).join("\n"));
    const events = readLines<RunEvent>(path.join(runDir, "events.jsonl")).filter((e) => e.type === "resumed");
    assert.match(events.at(-1)!.message, /resumed from checkpoint 1 \(epoch 1, step 4\); discarded the later checkpoint 2/);
    assert.ok(fs.readFileSync(path.join(ckpt("2"), "tensors.bin")).equals(weights), "the same epoch 2 again");
    assert.deepEqual(lastTable(panel).rows.map((r) => [r.name, r.resumable]), [["1", true], ["2", false]]);

    // Closing the panel stops the worker.
    assert.equal(workerPids().length, 1, "one worker while the panel is open");
    panel.dispose();
    await until("the worker to exit", () => workerPids().length === 0, 10_000);

    // From the palette with nothing in hand: a pick among the runs with checkpoints.
    stub.answer = (kind, _text, items) => (kind === "quickPick" ? items[0] : undefined);
    await run("ssl.browseCheckpoints");
    assert.equal(panels.length, opened + 2);
    panels.at(-1)!.send({ type: "ready" });
    assert.equal((await nextPosted(panels.at(-1)!, table)).rows.length, 2);
  },
);
