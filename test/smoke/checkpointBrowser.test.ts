// The Checkpoint Browser on a real run made by the built CLI: the table's
// rows from its folder, and dist/checkpointBrowser.js driven over IPC as the
// extension drives it: evaluate (the run's own kNN again, written back to
// eval.json and into the rows), export a TF.js model that tf.loadLayersModel
// reads and that gives the backbone's features, export embeddings for the
// projector, the neighbours gallery, and a checkpoint that is gone. Then a
// resume from an earlier checkpoint, which must retrace the run exactly.
import { after, before, test } from "node:test";
import * as assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as tfl from "@tensorflow/tfjs-layers";
import sharp from "sharp";
import type { CheckpointJob, CheckpointWorkerToHost, HostToCheckpointWorker, JobResult } from "../../src/protocol/checkpointBrowser";
import type { MetricRow, RunEvent } from "../../src/protocol/runFiles";
import { loadDataset } from "../../src/core/data/load";
import { extractFeatures } from "../../src/core/eval/features";
import { disposeModel } from "../../src/core/models/build";
import { readCheckpointEval } from "../../src/core/run/checkpointEval";
import { checkpointTable } from "../../src/extension/checkpointBrowser/rows";
import { loadCheckpointModel, recordedRunConfig } from "../../src/trainer/checkpointModel";
import { onlyRun, readLines, runCli, tempDir, writeTinyExperiment } from "./cliRun";

const WORKER = path.resolve(__dirname, "../../dist/checkpointBrowser.js");
const skip = !fs.existsSync(WORKER) && "dist/checkpointBrowser.js not built";

class Worker {
  readonly child: ChildProcess;
  readonly messages: CheckpointWorkerToHost[] = [];
  private waiters: (() => void)[] = [];
  private lastId = 0;
  stderr = "";

  constructor() {
    this.child = fork(WORKER, [], { stdio: ["ignore", "pipe", "pipe", "ipc"] });
    this.child.stderr!.on("data", (d) => (this.stderr += d));
    this.child.on("message", (m: CheckpointWorkerToHost) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Sends a job and resolves with its progress lines and its end. */
  async run(job: CheckpointJob, ms = 120_000): Promise<{ progress: string[]; end: Extract<CheckpointWorkerToHost, { type: "done" | "failed" }> }> {
    const id = ++this.lastId;
    this.child.send({ type: "run", id, job } satisfies HostToCheckpointWorker);
    const deadline = Date.now() + ms;
    for (;;) {
      const mine = this.messages.filter((m) => m.type !== "ready" && m.id === id);
      const end = mine.find((m) => m.type === "done" || m.type === "failed");
      if (end) return { progress: mine.flatMap((m) => (m.type === "progress" ? [m.message] : [])), end: end as never };
      if (Date.now() > deadline) throw new Error(`no answer to job ${id} (${job.kind}) in ${ms} ms; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  async result<K extends JobResult["kind"]>(job: CheckpointJob & { kind: K }): Promise<Extract<JobResult, { kind: K }>> {
    const { end } = await this.run(job);
    if (end.type === "failed") throw new Error(`${job.kind} failed: ${end.error}`);
    return end.result as Extract<JobResult, { kind: K }>;
  }
}

let dir = "";
let run = "";
let worker: Worker | undefined;
const checkpoint = (name: string) => path.join(run, "checkpoints", name);

before(async () => {
  if (skip) return;
  dir = tempDir("browser");
  const file = writeTinyExperiment(dir, "browse", { train: { epochs: 2, batchSize: 64, optimizer: "adam", lr: 0.002, warmupEpochs: 0, logEvery: 1 } });
  const r = await runCli(["pretrain", file], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  run = onlyRun(path.join(dir, "runs", "browse"));
  worker = new Worker();
});

after(() => {
  if (worker?.child.connected) worker.child.disconnect();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const evalRows = () => readLines<MetricRow>(path.join(run, "metrics.jsonl")).filter((m): m is Extract<MetricRow, { kind: "eval" }> => m.kind === "eval");

test("the table: one row per checkpoint on disk, with the run's logged evaluations, sizes and what can resume", { skip }, () => {
  const table = checkpointTable({ experimentName: "browse", scope: { kind: "run", runDir: run } });
  assert.equal(table.title, `Checkpoints of ${path.basename(run)} · browse`);
  assert.equal(table.allRuns, false);
  assert.deepEqual(table.rows.map((r) => [r.name, r.label, r.epoch, r.step]), [["0", "epoch 0", 0, 0], ["1", "epoch 1", 1, 4], ["2", "epoch 2", 2, 8]]);
  const evals = evalRows();
  assert.deepEqual(table.rows.map((r) => r.knn), evals.map((e) => e.knn), "kNN of the evaluation logged at each checkpoint's step");
  assert.equal(table.rows[2]!.linear, evals[2]!.linear!.find((l) => l.fraction === 1)!.accuracy, "the final evaluation's linear probe on all labels");
  assert.equal(table.rows[0]!.linear, undefined);
  for (const r of table.rows) {
    const files = fs.readdirSync(r.dir).filter((f) => f !== "meta.json");
    assert.equal(r.bytes, files.reduce((n, f) => n + fs.statSync(path.join(r.dir, f)).size, 0), `${r.name}: the size of its tensors`);
    assert.equal(r.backend, "wasm");
    assert.ok(Number.isFinite(Date.parse(r.savedAt)));
  }
  assert.equal(table.rows[0]!.loss, undefined, "no loss before the first step");
  assert.ok(table.rows[2]!.loss! > 0);
  assert.deepEqual(table.rows.map((r) => r.resumable), [true, true, false], "a finished run has nothing left after its last checkpoint");
  assert.equal(table.rows[0]!.exportProblem, undefined, "a ConvNet exports");
  const all = checkpointTable({ experimentName: "browse", scope: { kind: "experiment", runsDir: path.dirname(run) } });
  assert.equal(all.title, "Checkpoints of browse · 1 run");
  assert.equal(all.allRuns, true);
  assert.equal(all.rows.length, 3);
});

test("evaluate: the run's own kNN again, with progress; the results are written back and the table shows them", { skip, timeout: 180_000 }, async () => {
  const w = worker!;
  const evals = evalRows();
  const { progress, end } = await w.run({ kind: "evaluate", checkpoint: checkpoint("1"), protocols: ["knn"] });
  assert.equal(end.type, "done", JSON.stringify(end));
  const report = (end as Extract<typeof end, { type: "done" }>).result as Extract<JobResult, { kind: "evaluate" }>;
  assert.equal(report.report.knn, evals[1]!.knn, "same checkpoint, data and backend: the kNN the run logged");
  assert.deepEqual(progress, ["loading the data…", "loading the checkpoint…", "kNN…"]);
  console.log(`# evaluate kNN (data and checkpoint loaded): ${(end as { seconds: number }).seconds.toFixed(2)} s`);

  const linear = await w.result({ kind: "evaluate", checkpoint: checkpoint("1"), protocols: ["linear"] });
  assert.deepEqual(linear.report.linear!.map((l) => l.fraction), [0.01, 0.1, 1]);
  const rotation = await w.result({ kind: "evaluate", checkpoint: checkpoint("1"), protocols: ["rotation"] });
  assert.ok(rotation.report.rotation! >= 0 && rotation.report.rotation! <= 1);

  const stored = readCheckpointEval(checkpoint("1"))!;
  assert.deepEqual(Object.keys(stored.report).sort(), ["knn", "linear", "rotation"], "each evaluation merged into eval.json");
  const row = checkpointTable({ experimentName: "browse", scope: { kind: "run", runDir: run } }).rows[1]!;
  assert.equal(row.linear, linear.report.linear!.find((l) => l.fraction === 1)!.accuracy);
  assert.equal(row.rotation, rotation.report.rotation);
  assert.equal(row.knn, evals[1]!.knn);

  const unlabelled = await w.run({ kind: "evaluate", checkpoint: checkpoint("1"), protocols: ["collapse"] });
  assert.equal(unlabelled.end.type, "done", "collapse runs for SimCLR");
});

test("export: a model.json tf.loadLayersModel reads, giving the checkpoint's backbone features (1e-4)", { skip, timeout: 120_000 }, async () => {
  const out = path.join(run, "exports", "epoch-2-tfjs");
  const t0 = Date.now();
  const exported = await worker!.result({ kind: "exportModel", checkpoint: checkpoint("2"), outDir: out });
  console.log(`# export model: ${Date.now() - t0} ms, ${exported.files.map((f) => `${f.name} ${f.bytes} B`).join(", ")}`);
  assert.deepEqual(exported.files.map((f) => f.name), ["model.json", "weights.bin"]);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["epoch-2-tfjs"], "no temporary folder left");
  const modelJson = JSON.parse(fs.readFileSync(path.join(out, "model.json"), "utf8"));
  assert.equal(modelJson.format, "layers-model");
  assert.deepEqual(modelJson.weightsManifest[0].paths, ["weights.bin"]);
  const bin = fs.readFileSync(path.join(out, "weights.bin"));

  await tf.setBackend("cpu");
  const loaded = await tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      userDefinedMetadata: modelJson.userDefinedMetadata,
    }),
  );
  try {
    assert.deepEqual(loaded.inputs[0]!.shape, [null, 16, 16, 1]);
    assert.equal((loaded.getUserDefinedMetadata() as { method: string }).method, "simclr");
    const config = recordedRunConfig(checkpoint("2"));
    const data = await loadDataset(config, dir);
    const model = loadCheckpointModel(checkpoint("2"), config, 1);
    try {
      const test = { ...data.test!, count: 32, pixels: data.test!.pixels.subarray(0, 32 * 28 * 28) };
      const ours = extractFeatures(model.backbone, test, 16);
      const x = tf.image.resizeBilinear(tf.div(tf.tensor4d(test.pixels, [32, 28, 28, 1], "float32"), 255) as tf.Tensor4D, [16, 16], false, true);
      const theirs = loaded.predict(x) as tf.Tensor2D;
      assert.deepEqual(theirs.shape, ours.shape);
      const diff = tf.max(tf.abs(tf.sub(theirs, ours))).dataSync()[0]!;
      assert.ok(diff < 1e-4, `max |tf.loadLayersModel − backbone| = ${diff}`);
      assert.ok(tf.max(tf.abs(ours)).dataSync()[0]! > 0.01, "features are not all zero");
      tf.dispose([ours, x, theirs]);
    } finally {
      disposeModel(model);
    }
  } finally {
    loaded.dispose();
  }
});

test("export embeddings: vectors.tsv and metadata.tsv for the projector, the whole test split or a chosen count", { skip, timeout: 120_000 }, async () => {
  const out = path.join(run, "exports", "epoch-2-embeddings");
  const all = await worker!.result({ kind: "exportEmbeddings", checkpoint: checkpoint("2"), outDir: out });
  assert.deepEqual([all.rows, all.dim], [200, 64], "the 200 test images of the tiny run, 64 ConvNet features");
  const vectors = fs.readFileSync(path.join(out, "vectors.tsv"), "utf8").trimEnd().split("\n");
  const metadata = fs.readFileSync(path.join(out, "metadata.tsv"), "utf8").trimEnd().split("\n");
  assert.equal(vectors.length, 200);
  assert.ok(vectors.every((l) => l.split("\t").length === 64 && l.split("\t").every((v) => Number.isFinite(Number(v)))));
  assert.equal(metadata[0], "index\tlabel");
  assert.equal(metadata.length, 201);
  const labels = new Set(metadata.slice(1).map((l) => l.split("\t")[1]));
  assert.ok(labels.has("Ankle boot") && labels.has("Trouser"), [...labels].join(", "));
  assert.equal(metadata[1], "0\tAnkle boot", "Fashion-MNIST's first test image");
  const some = await worker!.result({ kind: "exportEmbeddings", checkpoint: checkpoint("2"), outDir: out, count: 50 });
  assert.equal(some.rows, 50);
  assert.equal(fs.readFileSync(path.join(out, "vectors.tsv"), "utf8").trimEnd().split("\n").length, 50, "the export replaced the older one");
  assert.equal(fs.readFileSync(path.join(out, "vectors.tsv"), "utf8").split("\n")[0], vectors[0], "the same first vector");
});

test("neighbours: four test images of different classes, each with its five most similar training images", { skip, timeout: 120_000 }, async () => {
  const { gallery } = await worker!.result({ kind: "neighbours", checkpoint: checkpoint("2"), queries: 4, k: 5 });
  assert.equal(gallery.checkpoint, checkpoint("2"));
  assert.equal(gallery.queries.length, 4);
  assert.equal(new Set(gallery.queries.map((q) => q.query.label)).size, 4, "four classes");
  assert.ok(gallery.queries.every((q) => q.query.split === "test"));

  // The same neighbours from features computed here.
  await tf.setBackend("cpu");
  const config = recordedRunConfig(checkpoint("2"));
  const data = await loadDataset(config, dir);
  const model = loadCheckpointModel(checkpoint("2"), config, 1);
  try {
    const bank = extractFeatures(model.backbone, data.train, 16);
    const norm = (t: tf.Tensor2D) => tf.div(t, tf.norm(t, "euclidean", 1, true)) as tf.Tensor2D;
    for (const q of gallery.queries) {
      assert.equal(q.neighbours.length, 5);
      assert.ok(q.neighbours.every((n, i) => i === 0 || n.similarity <= q.neighbours[i - 1]!.similarity + 1e-7), "most similar first");
      const test = { ...data.test!, count: 1, pixels: data.test!.pixels.subarray(q.query.index * 784, (q.query.index + 1) * 784) };
      const f = extractFeatures(model.backbone, test, 16);
      const sims = tf.matMul(norm(f), norm(bank), false, true).dataSync();
      const fifth = [...sims].sort((a, b) => b - a)[4]!;
      for (const n of q.neighbours) {
        assert.ok(Math.abs(sims[n.index]! - n.similarity) < 1e-4, `similarity of train image ${n.index}`);
        assert.ok(sims[n.index]! >= fifth - 1e-4, `train image ${n.index} is among the five nearest`);
        assert.equal(n.label, data.train.classNames![data.train.labels![n.index]!]);
      }
      tf.dispose(f);
    }
    bank.dispose();
  } finally {
    disposeModel(model);
  }
  const png = Buffer.from(gallery.queries[0]!.neighbours[0]!.png, "base64");
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ["png", 28, 28]);
});

test("a checkpoint that is gone, or no checkpoint at all, fails the job and the worker goes on", { skip, timeout: 60_000 }, async () => {
  const gone = await worker!.run({ kind: "exportModel", checkpoint: path.join(run, "checkpoints", "7"), outDir: path.join(dir, "x") });
  assert.equal(gone.end.type, "failed");
  assert.match((gone.end as { error: string }).error, /checkpoints\/7 is not a complete checkpoint/);
  const relative = await worker!.run({ kind: "neighbours", checkpoint: "checkpoints/1", queries: 1, k: 1 });
  assert.match((relative.end as { error: string }).error, /absolute path/);
  assert.equal((await worker!.run({ kind: "evaluate", checkpoint: checkpoint("0"), protocols: ["knn"] })).end.type, "done");
});

test("resume from an earlier checkpoint: the later ones are discarded, and training retraces them bit for bit", { skip, timeout: 180_000 }, async () => {
  const before = fs.readFileSync(path.join(checkpoint("2"), "tensors.bin"));
  const knnBefore = evalRows().at(-1)!.knn;
  const file = path.join(dir, "browse.ssl.json");
  const r = await runCli(["pretrain", file, "--resume", checkpoint("1")], dir);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const resumed = readLines<RunEvent>(path.join(run, "events.jsonl")).filter((e) => e.type === "resumed");
  assert.equal(resumed.length, 1);
  assert.match(resumed[0]!.message, /^resumed from checkpoint 1 \(epoch 1, step 4\); discarded the later checkpoint 2$/);
  assert.deepEqual(fs.readdirSync(path.join(run, "checkpoints")).sort(), ["0", "1", "2"]);
  assert.ok(fs.readFileSync(path.join(checkpoint("2"), "tensors.bin")).equals(before), "the same weights as the uninterrupted run");
  assert.equal(evalRows().at(-1)!.knn, knnBefore);
  assert.deepEqual(evalRows().map((e) => e.epoch), [0, 1, 2], "the metrics after the checkpoint were replaced, not doubled");
  assert.ok(readCheckpointEval(checkpoint("1")), "the resumed-from checkpoint keeps its evaluations");
});
