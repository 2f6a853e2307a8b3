/**
 * TrainerProcess against real child processes: small fake trainers that speak
 * the protocol (or crash, or get killed) the way dist/trainer.js might.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TrainerProcess, type TrainerOutcome } from "../../src/extension/trainerProcess";
import { describeExit, crashLine, runNodeScript } from "../../src/extension/nodeProcess";
import { RunRegistry } from "../../src/extension/runRegistry";
import type { TrainerToHost } from "../../src/protocol/trainerMessages";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-trainer-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Writes a fake trainer: `body` runs when the start message arrives, with `start` and `send` in scope. */
function fakeTrainer(name: string, body: string): string {
  const file = path.join(root, `${name}.js`);
  fs.writeFileSync(
    file,
    `const send = (m) => new Promise((r) => process.send(m, r));
const summary = (status) => ({ experiment: "exp", runId: "r1", method: "simclr", status, backend: "cpu", startedAt: "t", epochs: 2, epochsDone: 2, steps: 4, trainImages: 8, skippedImages: 0, wallSeconds: 1 });
process.on("message", async (start) => {
  if (start.type !== "start") return;
  ${body}
});
`,
  );
  return file;
}

async function runFake(script: string, extra: Partial<ConstructorParameters<typeof TrainerProcess>[0]> = {}, onStart?: (t: TrainerProcess, messages: TrainerToHost[]) => void) {
  const messages: TrainerToHost[] = [];
  const output: string[] = [];
  let exitCalls = 0;
  const t = new TrainerProcess(
    { trainerScript: script, cwd: root, experimentFile: path.join(root, "exp.ssl.json"), ...extra },
    {
      message: (m) => messages.push(m),
      output: (stream, line) => output.push(`${stream}: ${line}`),
      exit: () => exitCalls++,
    },
  );
  onStart?.(t, messages);
  const outcome: TrainerOutcome = await t.done;
  assert.equal(exitCalls, 1, "exit is reported once");
  assert.equal(t.running, false);
  return { outcome, messages, output, trainer: t };
}

test("a run that finishes: messages in order, start message carries the file, child runs as plain node in the workspace", async () => {
  const script = fakeTrainer(
    "happy",
    `await send({ type: "log", level: "info", message: JSON.stringify({ cwd: process.cwd(), execArgv: process.execArgv, electron: process.env.ELECTRON_RUN_AS_NODE, start }) });
  await send({ type: "runStarted", runDir: "/r/1", runId: "1", experiment: "exp", backend: "cpu", epochs: 2, stepsPerEpoch: 2 });
  await send({ type: "progress", epoch: 1, step: 1, totalSteps: 4, loss: 5, lr: 0.1, imagesPerSec: 10, etaSeconds: 3 });
  await send({ type: "eval", epoch: 0, knn: 0.3 });
  await send({ type: "checkpoint", epoch: 1, dir: "/r/1/checkpoints/1" });
  console.log("plain stdout line");
  await send({ type: "finished", summary: summary("finished") });
  process.exit(0);`,
  );
  const { outcome, messages, output } = await runFake(script, { resumeRunDir: "/r/0", backend: "cpu" });
  assert.equal(outcome.kind, "finished");
  assert.deepEqual(messages.map((m) => m.type), ["log", "runStarted", "progress", "eval", "checkpoint", "finished"]);
  const env = JSON.parse((messages[0] as { message: string }).message);
  assert.equal(fs.realpathSync(env.cwd), fs.realpathSync(root));
  assert.deepEqual(env.execArgv, [], "the host's --inspect/--import flags do not leak into the trainer");
  assert.equal(env.electron, "1");
  assert.deepEqual(env.start, { type: "start", experimentFile: path.join(root, "exp.ssl.json"), resumeRunDir: "/r/0", backend: "cpu" });
  assert.ok(output.includes("stdout: plain stdout line"));
});

test("stop: the trainer hears it, finishes, and the outcome is stopped", async () => {
  const script = fakeTrainer(
    "stoppable",
    `await send({ type: "runStarted", runDir: "/r/2", runId: "2", experiment: "exp", backend: "cpu", epochs: 100, stepsPerEpoch: 2 });
  let step = 0;
  const timer = setInterval(() => send({ type: "progress", epoch: 1, step: ++step, totalSteps: 200, loss: 5, lr: 0.1, imagesPerSec: 10, etaSeconds: 3 }), 10);
  process.on("message", async (m) => {
    if (m.type !== "stop") return;
    clearInterval(timer);
    await send({ type: "checkpoint", epoch: 1, dir: "/r/2/checkpoints/1" });
    await send({ type: "stopped", summary: summary("stopped") });
    process.exit(0);
  });`,
  );
  const { outcome, messages } = await runFake(script, {}, (t, msgs) => {
    const poll = setInterval(() => {
      if (msgs.some((m) => m.type === "progress")) {
        clearInterval(poll);
        assert.equal(t.stop(), true);
        assert.equal(t.stopping, true);
      }
    }, 5);
  });
  assert.equal(outcome.kind, "stopped");
  assert.equal(messages.at(-2)?.type, "checkpoint");
});

test("an uncaught exception is a crash whose reason is the error line, not the Node.js version", async () => {
  const script = fakeTrainer(
    "throws",
    `await send({ type: "runStarted", runDir: "/r/3", runId: "3", experiment: "exp", backend: "cpu", epochs: 2, stepsPerEpoch: 2 });
  console.error("some warning first");
  setTimeout(() => { throw new Error("boom in epoch 1"); }, 0);`,
  );
  const { outcome, output } = await runFake(script);
  assert.equal(outcome.kind, "crashed");
  if (outcome.kind !== "crashed") return;
  assert.equal(outcome.code, 1);
  assert.equal(outcome.reason, "exited with code 1: Error: boom in epoch 1");
  assert.ok(outcome.stderrTail.some((l) => l.startsWith("Node.js v")));
  assert.ok(output.includes("stderr: some warning first"));
});

test("SIGKILL (the OOM killer, kill -9) is a crash that says so", async () => {
  const script = fakeTrainer(
    "killed",
    `await send({ type: "runStarted", runDir: "/r/4", runId: "4", experiment: "exp", backend: "cpu", epochs: 2, stepsPerEpoch: 2 });
  process.kill(process.pid, "SIGKILL");`,
  );
  const { outcome, messages } = await runFake(script);
  assert.equal(messages[0]?.type, "runStarted");
  assert.equal(outcome.kind, "crashed");
  if (outcome.kind === "crashed") {
    assert.equal(outcome.signal, "SIGKILL");
    assert.match(outcome.reason, /killed \(SIGKILL/);
  }
});

test("a failed message is the outcome even when the process then exits non-zero", async () => {
  const script = fakeTrainer(
    "fails",
    `await send({ type: "failed", error: "dataset.train: path does not exist", file: "/w/e.ssl.json", field: "dataset.train", line: 7 });
  process.exit(1);`,
  );
  const { outcome } = await runFake(script);
  assert.deepEqual(outcome, { kind: "failed", error: "dataset.train: path does not exist", file: "/w/e.ssl.json", field: "dataset.train", line: 7, runDir: undefined });
});

test("a trainer that lingers after its final message and disconnect does not hold the run open", async () => {
  const script = fakeTrainer(
    "lingers",
    `await send({ type: "finished", summary: summary("finished") });
  process.disconnect();
  setTimeout(() => process.exit(0), 2000);`,
  );
  const started = Date.now();
  const { outcome } = await runFake(script);
  assert.equal(outcome.kind, "finished");
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
});

test("exiting cleanly without a final message is still reported", async () => {
  const script = fakeTrainer("silent", `process.exit(0);`);
  const { outcome } = await runFake(script);
  assert.equal(outcome.kind, "crashed");
  if (outcome.kind === "crashed") assert.equal(outcome.reason, "exited without reporting a result");
});

test("kill() ends a trainer that does not listen to stop", async () => {
  const script = fakeTrainer(
    "deaf",
    `await send({ type: "runStarted", runDir: "/r/5", runId: "5", experiment: "exp", backend: "cpu", epochs: 2, stepsPerEpoch: 2 });
  setInterval(() => {}, 1000);`,
  );
  const { outcome } = await runFake(script, {}, (t, msgs) => {
    const poll = setInterval(() => {
      if (msgs.length) {
        clearInterval(poll);
        t.stop();
        setTimeout(() => t.kill(), 50);
      }
    }, 5);
  });
  assert.equal(outcome.kind, "crashed");
  if (outcome.kind === "crashed") assert.equal(outcome.signal, "SIGKILL");
});

test("a Node executable that does not exist fails to start, with the reason", async () => {
  const script = fakeTrainer("never", `process.exit(0);`);
  const { outcome } = await runFake(script, { nodePath: path.join(root, "no-such-node") });
  assert.equal(outcome.kind, "crashed");
  if (outcome.kind === "crashed") assert.match(outcome.reason, /^could not start the trainer: .*ENOENT/);
});

test("messages that are not in the protocol are ignored and noted", async () => {
  const script = fakeTrainer(
    "chatty",
    `await send({ hello: 1 });
  await send({ type: "finished", summary: summary("finished") });
  process.exit(0);`,
  );
  const { outcome, messages, output } = await runFake(script);
  assert.equal(outcome.kind, "finished");
  assert.deepEqual(messages.map((m) => m.type), ["finished"]);
  assert.ok(output.some((l) => l.includes("unexpected message")));
});

test("crash reasons pick the meaningful stderr line", () => {
  assert.equal(crashLine(["", "/x/trainer.js:10", "    throw e;", "    ^", "", "RangeError: Array buffer allocation failed", "    at new ArrayBuffer", "", "Node.js v20.20.2"]), "RangeError: Array buffer allocation failed");
  assert.equal(crashLine(["FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory", " 1: 0xb7 node::Abort()"]), "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory");
  assert.equal(crashLine(["just some text"]), "just some text");
  assert.equal(crashLine([]), undefined);
  assert.equal(describeExit(134, null, []), "exited with code 134");
  assert.equal(describeExit(null, "SIGTERM", ["Terminated"]), "was killed by SIGTERM: Terminated");
});

test("runNodeScript streams lines and reports the exit code (Check Environment's path)", async () => {
  const file = path.join(root, "doctor.js");
  fs.writeFileSync(file, `console.log("backend wasm: ok"); process.stdout.write("partial"); console.error("tensorflow: not installed"); process.exit(process.argv[2] === "doctor" ? 3 : 0);`);
  const lines: string[] = [];
  const r = await runNodeScript(file, ["doctor"], { cwd: root, onLine: (s, l) => lines.push(`${s}: ${l}`) });
  assert.equal(r.code, 3);
  assert.ok(lines.includes("stdout: backend wasm: ok"));
  assert.ok(lines.includes("stdout: partial"), "a last line without newline is not lost");
  assert.ok(lines.includes("stderr: tensorflow: not installed"));
});

test("the registry folds trainer messages into live runs and remembers failures by run folder", () => {
  const reg = new RunRegistry();
  const events: string[] = [];
  reg.onChange(() => {
    throw new Error("a broken listener");
  });
  reg.onChange((c) => events.push(c.kind));
  let stops = 0;
  const handle = { stop: () => (stops++, true), kill: () => undefined };
  const file = path.join(root, "a.ssl.json");
  const run = reg.add(file, "a", handle);
  assert.throws(() => reg.add(file, "a", handle), /already running/);
  assert.equal(reg.get(path.join(root, ".", "a.ssl.json")), run, "paths are normalised");
  reg.apply(file, { type: "runStarted", runDir: path.join(root, "runs/a/1"), runId: "1", experiment: "a", backend: "wasm", epochs: 10, stepsPerEpoch: 5 });
  reg.apply(file, { type: "progress", epoch: 1, step: 2, totalSteps: 50, loss: 5, lr: 0.1, imagesPerSec: 100, etaSeconds: 30 });
  reg.apply(file, { type: "eval", epoch: 0, knn: 0.25 });
  reg.apply(file, { type: "checkpoint", epoch: 1, dir: "c1" });
  assert.equal(run.epochs, 10);
  assert.equal(run.progress?.step, 2);
  assert.deepEqual(run.lastKnn, { epoch: 0, knn: 0.25 });
  assert.equal(reg.byRunDir(path.join(root, "runs/a/1/")), run);
  reg.markStopping(file);
  reg.markStopping(file);
  assert.equal(run.stopping, true);
  assert.equal(stops, 0, "the registry records; the controller sends");
  reg.remove(file, "the trainer exited with code 1");
  assert.equal(reg.get(file), undefined);
  assert.equal(reg.failureOf(path.join(root, "runs/a/1")), "the trainer exited with code 1");
  assert.deepEqual(events, ["added", "state", "progress", "progress", "state", "state", "removed"]);
  // A new run in the same folder (a resume) clears the old failure.
  reg.add(file, "a", handle);
  reg.apply(file, { type: "runStarted", runDir: path.join(root, "runs/a/1"), runId: "1", experiment: "a", backend: "wasm", epochs: 10, stepsPerEpoch: 5, resumedFromEpoch: 1 });
  assert.equal(reg.failureOf(path.join(root, "runs/a/1")), undefined);
});
