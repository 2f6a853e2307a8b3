/**
 * The extension's vscode glue, activated in plain Node against a stand-in
 * `vscode` module (extension.vscodeStub.ts): commands, messages, progress,
 * status bar and tree, with real files and real (fake or built) trainers.
 */
import { after, afterEach, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { experimentTemplate } from "../../src/extension/templates/experiment";
import { vscodeStub } from "./vscodeStubHost";

const { stub, TreeItem, Uri, env } = vscodeStub;
const extension = require("../../src/extension/extension") as typeof import("../../src/extension/extension");

const repo = path.resolve(__dirname, "../..");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-activate-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let subscriptions: { dispose(): unknown }[] = [];
let n = 0;

/** A fresh workspace folder and activation; `trainer` replaces dist/trainer.js when given. */
function activate(trainer?: string, cli?: string): string {
  const ws = path.join(root, `ws${n++}`);
  fs.mkdirSync(ws);
  stub.reset(ws);
  let extensionPath = repo;
  if (trainer || cli) {
    extensionPath = path.join(ws, ".ext");
    fs.mkdirSync(path.join(extensionPath, "dist"), { recursive: true });
    if (trainer) fs.writeFileSync(path.join(extensionPath, "dist", "trainer.js"), trainer);
    if (cli) fs.writeFileSync(path.join(extensionPath, "dist", "cli.js"), cli);
  }
  subscriptions = [];
  extension.activate({ subscriptions, extensionPath, asAbsolutePath: (p: string) => path.join(extensionPath, p) } as never);
  return ws;
}

afterEach(() => {
  extension.deactivate();
  for (const s of subscriptions) s.dispose();
});

type Node = { kind: string };
async function tree(): Promise<{ item: InstanceType<typeof TreeItem>; children: { item: InstanceType<typeof TreeItem>; node: Node }[] }[]> {
  const p = stub.treeProvider!;
  const out = [];
  for (const e of await p.getChildren()) {
    const children = (await p.getChildren(e)) as Node[];
    out.push({ item: p.getTreeItem(e), children: children.map((c) => ({ node: c, item: p.getTreeItem(c) })) });
  }
  return out;
}

const run = (id: string, ...args: unknown[]) => stub.commands.get(id)!(...args);

/** A fake trainer: `body` runs on the start message with send/summary/runDir helpers in scope. */
function fakeTrainer(body: string): string {
  return `const fs = require("fs"), path = require("path");
const send = (m) => new Promise((r) => process.send(m, r));
const summary = (status, extra) => ({ experiment: "exp", runId: "r1", method: "simclr", status, backend: "cpu", startedAt: new Date().toISOString(), epochs: 2, epochsDone: 0, steps: 0, trainImages: 8, skippedImages: 0, wallSeconds: 1, ...extra });
process.on("message", async (m) => {
  if (m.type !== "start") return;
  const runDir = path.join(path.dirname(m.experimentFile), "runs", path.basename(m.experimentFile, ".ssl.json"), "r1");
  fs.mkdirSync(path.join(runDir, "checkpoints", "0"), { recursive: true });
  const writeSummary = (s) => fs.writeFileSync(path.join(runDir, "summary.json"), JSON.stringify(s));
  writeSummary(summary("running", { pid: process.pid }));
  fs.writeFileSync(path.join(runDir, "checkpoints", "0", "meta.json"), JSON.stringify({ epoch: 0, step: 0, savedAt: "t", loss: 5, backend: "cpu", seed: 0, wallSeconds: 0, files: {} }));
  await send({ type: "runStarted", runDir, runId: "r1", experiment: "exp", backend: "cpu", epochs: 2, stepsPerEpoch: 4 });
  await send({ type: "checkpoint", epoch: 0, dir: path.join(runDir, "checkpoints", "0") });
  ${body}
});`;
}

test("activation registers every declared command, the tree and the ssl task provider, and shows no status bar", () => {
  activate();
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
  assert.deepEqual([...stub.commands.keys()].sort(), pkg.contributes.commands.map((c: { command: string }) => c.command).sort());
  assert.ok(stub.treeProvider);
  assert.deepEqual([...stub.taskProviders.keys()], ["ssl"], "the ssl task provider");
  assert.equal(stub.statusBar.visible, false);
});

test("New Experiment writes a valid commented file, opens it, and never overwrites", async () => {
  const ws = activate();
  assert.deepEqual(await tree(), []);
  stub.answer = (kind) => (kind === "input" ? "demo" : undefined);
  await run("ssl.newExperiment");
  const file = path.join(ws, "demo.ssl.json");
  assert.equal(fs.readFileSync(file, "utf8"), experimentTemplate("demo"));
  assert.deepEqual(stub.opened.map((o) => o.file), [file]);
  const t = await tree();
  assert.equal(t.length, 1);
  assert.equal(t[0]!.item.label, "demo");
  assert.equal(t[0]!.item.contextValue, "experiment");
  assert.deepEqual(t[0]!.children, [], "no runs yet");

  fs.writeFileSync(file, "// mine\n{}\n");
  await run("ssl.newExperiment");
  assert.equal(stub.inputValidation.at(-1), "demo.ssl.json already exists");
  assert.match(stub.shown.at(-1)!.text, /already exists; it was left as it is/);
  assert.equal(fs.readFileSync(file, "utf8"), "// mine\n{}\n");
});

test("Pretrain on an invalid config names file and field, opens it at the line, writes nothing", async () => {
  const ws = activate();
  const file = path.join(ws, "bad.ssl.json");
  fs.writeFileSync(file, '// comment\n{\n  "train": {\n    "epochs": -3\n  }\n}\n');
  stub.activeFile = file;
  stub.answer = (kind, _text, items) => (kind === "error" && items.includes("Open File") ? "Open File" : undefined);
  await run("ssl.pretrain");
  const err = stub.shown.find((s) => s.kind === "error")!;
  assert.match(err.text, /bad\.ssl\.json:4: field "train\.epochs"/);
  await new Promise((r) => setImmediate(r));
  assert.equal(stub.opened[0]?.file, file);
  assert.equal(stub.opened[0]?.selection?.start.line, 3, "0-based line of \"epochs\"");
  assert.equal(fs.existsSync(path.join(ws, "runs")), false);
  assert.equal(stub.progress.length, 0, "no trainer was started");
  const [exp] = await tree();
  assert.match(String(exp!.item.description), /⚠/);
});

test("a trainer crash: error with the reason and Open Log, the tree shows the run failed, the status bar goes away", async () => {
  const ws = activate(
    fakeTrainer(`await send({ type: "progress", epoch: 1, step: 1, totalSteps: 8, loss: 5.5, lr: 0.1, imagesPerSec: 42, etaSeconds: 7 });
  setTimeout(() => { throw new Error("Kernel 'Foo' not registered for backend 'cpu'"); }, 50);`),
  );
  const file = path.join(ws, "exp.ssl.json");
  fs.writeFileSync(file, experimentTemplate("exp"));
  let barWhileRunning = "";
  const progressSeen = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (stub.progress[0]?.reports.some((r) => r.message?.startsWith("epoch 1/2"))) {
        barWhileRunning = stub.statusBar.visible ? stub.statusBar.text : "";
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await run("ssl.pretrain", { kind: "experiment", info: { file } });
  await progressSeen;
  assert.equal(barWhileRunning, "$(loading~spin) SSL exp 1/2 · loss 5.500");
  const err = await stub.nextMessage(/trainer for exp/);
  assert.equal(err.kind, "error");
  assert.match(err.text, /^SSL: the trainer for exp exited with code 1: Error: Kernel 'Foo' not registered/);
  assert.deepEqual(err.items, ["Open Log"]);
  assert.equal(stub.statusBar.visible, false);
  assert.ok(stub.log.some((l) => l.startsWith("warn [exp]") && l.includes("Kernel 'Foo'")), "stderr reaches the log");
  const [exp] = await tree();
  const runItem = exp!.children[0]!.item;
  assert.equal(runItem.label, "r1");
  assert.match(String(runItem.description), /^failed: the trainer exited with code 1/);
  assert.equal(runItem.iconPath?.id, "error");
  assert.equal(runItem.contextValue, "run.failed.resumable");
});

test("Cancel in the notification stops the run cleanly", async () => {
  const ws = activate(
    fakeTrainer(`let step = 0;
  const timer = setInterval(() => send({ type: "progress", epoch: 1, step: ++step, totalSteps: 800, loss: 5, lr: 0.1, imagesPerSec: 42, etaSeconds: 70 }), 20);
  process.on("message", async (m) => {
    if (m.type !== "stop") return;
    clearInterval(timer);
    const s = summary("stopped", { epochsDone: 0 });
    writeSummary(s);
    await send({ type: "stopped", summary: s });
    process.exit(0);
  });`),
  );
  const file = path.join(ws, "exp.ssl.json");
  fs.writeFileSync(file, experimentTemplate("exp"));
  stub.activeFile = file;
  await run("ssl.pretrain");
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (stub.progress[0]?.reports.some((r) => r.message?.startsWith("epoch 1/2"))) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  assert.equal(stub.progress[0]!.title, "SSL: exp");
  // Pretrain again while it runs: told, not started twice.
  await run("ssl.pretrain");
  assert.match(stub.shown.at(-1)!.text, /exp is already running/);
  stub.progress[0]!.cancel();
  const done = await stub.nextMessage(/stopped/);
  assert.equal(done.text, "SSL: exp stopped at epoch 0/2. Checkpoint of epoch 0 kept.");
  assert.deepEqual(done.items, ["Resume", "Open Run Folder"]);
  assert.ok(stub.progress[0]!.done);
  const [exp] = await tree();
  assert.equal(exp!.children[0]!.item.contextValue, "run.stopped.resumable");
  assert.equal(exp!.children[0]!.item.iconPath?.id, "debug-stop");
});

test("Stop Run with nothing running says so; Open Run Folder reveals in the OS", async () => {
  const ws = activate();
  await run("ssl.stopRun");
  assert.match(stub.shown.at(-1)!.text, /no run is going/);
  const dir = path.join(ws, "runs", "exp", "r9");
  fs.mkdirSync(dir, { recursive: true });
  await run("ssl.openRunFolder", dir);
  assert.deepEqual(stub.executed.filter((e) => e.id === "revealFileInOS").map((e) => (e.args[0] as { fsPath: string }).fsPath), [dir]);
  // Remote (or code-server in a browser): the OS file manager is on the wrong machine.
  env.remoteName = "ssh-remote";
  try {
    await run("ssl.openRunFolder", dir);
  } finally {
    env.remoteName = undefined;
  }
  assert.deepEqual(stub.executed.filter((e) => e.id === "revealInExplorer").map((e) => (e.args[0] as { fsPath: string }).fsPath), [dir]);
  await run("ssl.openRunFolder", path.join(ws, "runs", "exp", "missing"));
  assert.match(stub.shown.at(-1)!.text, /does not exist/);
});

test("a trainer that does not stop: Stop, then Stop again offers Kill, and the kill is reported", async () => {
  const ws = activate(
    fakeTrainer(`setInterval(() => send({ type: "progress", epoch: 1, step: 1, totalSteps: 8, loss: 5, lr: 0.1, imagesPerSec: 42, etaSeconds: 7 }), 20);`),
  );
  const file = path.join(ws, "exp.ssl.json");
  fs.writeFileSync(file, experimentTemplate("exp"));
  await run("ssl.pretrain", Uri.file(file));
  while (!stub.progress[0]?.reports.some((r) => r.message?.startsWith("epoch"))) await new Promise((r) => setTimeout(r, 5));
  await run("ssl.stopRun");
  assert.equal(stub.statusBar.text, "$(loading~spin) SSL exp: stopping…");
  stub.answer = (kind, _text, items) => (kind === "warn" && items.includes("Kill") ? "Kill" : undefined);
  await run("ssl.stopRun", Uri.file(file));
  assert.match(stub.shown.find((s) => s.kind === "warn")!.text, /Kill it now\?/);
  const err = await stub.nextMessage(/trainer for exp/);
  assert.match(err.text, /was killed \(SIGKILL/);
  assert.equal(stub.statusBar.visible, false);
});

test("Check Environment puts the doctor's report in the log, and warns when it exits non-zero", async () => {
  activate(undefined, `console.log("✔ wasm  WebAssembly"); console.error("✘ tensorflow  not installed"); process.exit(process.argv[2] === "doctor" ? 1 : 0);`);
  await run("ssl.checkEnvironment");
  assert.ok(stub.log.includes("info ✔ wasm  WebAssembly"), stub.log.join("\n"));
  assert.ok(stub.log.includes("warn ✘ tensorflow  not installed"));
  assert.match(stub.shown.at(-1)!.text, /environment check reported problems \(exit code 1\)/);
});

test("a real pretrain from the command, with the built trainer: progress, result message, finished run in the tree", { skip: !fs.existsSync(path.join(repo, "dist/trainer.js")) && "dist/trainer.js not built", timeout: 120_000 }, async () => {
  const ws = activate();
  const file = path.join(ws, "tiny.ssl.json");
  fs.writeFileSync(
    file,
    `// tiny
{ "dataset": { "format": "embedded", "name": "fashion-mnist-5k" }, "limit": { "train": 128, "test": 100 }, "imageSize": 16,
  "model": { "backbone": "convnet", "width": 0.5, "projectorHidden": 32, "projectorOut": 16 },
  "train": { "epochs": 2, "batchSize": 32, "optimizer": "adam", "lr": 0.001, "warmupEpochs": 0, "logEvery": 1 } }`,
  );
  await run("ssl.pretrain", Uri.file(file));
  const done = await stub.nextMessage(/finished|failed|trainer for/);
  assert.match(done.text, /^SSL: tiny finished: kNN \d+\.\d% → \d+\.\d% \(epoch 2\/2, \d+s\)\.$/);
  assert.ok(stub.progress[0]!.reports.some((r) => /^epoch [12]\/2 · loss \d/.test(r.message ?? "")));
  assert.ok(stub.log.some((l) => /info \[tiny\] run \S+ on wasm|info \[tiny\] run \S+ on cpu/.test(l)), stub.log.join("\n"));
  const [exp] = await tree();
  assert.match(String(exp!.children[0]!.item.description), /^kNN \d+\.\d%$/);
  assert.equal(exp!.children[0]!.item.iconPath?.id, "pass");
});
