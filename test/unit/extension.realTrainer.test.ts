/**
 * The extension's side of a run against the real dist/trainer.js (built by
 * `npm run build`): fork, progress, Stop (the run checkpoints and says
 * "stopped"), the run folder as the tree reads it, then Resume to the end.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TrainerProcess } from "../../src/extension/trainerProcess";
import { RunRegistry } from "../../src/extension/runRegistry";
import { listRuns, isResumable } from "../../src/extension/runFolder";
import { describeExperiment } from "../../src/extension/experiments";
import { presentRun } from "../../src/extension/format";
import type { TrainerToHost } from "../../src/protocol/trainerMessages";

const trainerScript = path.resolve(__dirname, "../../dist/trainer.js");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-real-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const experiment = `// a tiny run
{
  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },
  "limit": { "train": 128, "test": 100 },
  "imageSize": 16,
  "model": { "backbone": "convnet", "width": 0.5, "projectorHidden": 32, "projectorOut": 16 },
  "train": { "epochs": 2, "batchSize": 32, "optimizer": "adam", "lr": 0.001, "warmupEpochs": 0, "logEvery": 1 },
  "eval": { "every": 1 },
  "checkpoint": { "every": 1 }
}
`;

test("stop then resume a real trainer run, as the extension drives it", { skip: !fs.existsSync(trainerScript) && "dist/trainer.js not built", timeout: 120_000 }, async () => {
  const file = path.join(root, "tiny.ssl.json");
  fs.writeFileSync(file, experiment);
  const registry = new RunRegistry();

  const messages: TrainerToHost[] = [];
  const trainer: TrainerProcess = new TrainerProcess(
    { trainerScript, cwd: root, experimentFile: file },
    {
      message: (m) => {
        messages.push(m);
        registry.apply(file, m);
        // Stop as soon as training steps: the run must checkpoint where it is and report "stopped".
        if (m.type === "progress" && !trainer.stopping) assert.equal(trainer.stop(), true);
      },
    },
  );
  registry.add(file, "tiny", trainer);
  const first = await trainer.done;
  assert.equal(first.kind, "stopped", JSON.stringify(first));
  const started = messages.find((m) => m.type === "runStarted");
  assert.ok(started && started.type === "runStarted");
  const runDir = started.runDir;
  assert.equal(path.dirname(runDir), describeExperiment(file).runsDir, "the run lives where the tree looks for it");
  registry.remove(file);

  let [run] = listRuns(describeExperiment(file).runsDir);
  assert.equal(run!.dir, runDir);
  assert.equal(run!.state, "stopped");
  assert.ok(isResumable(run!), "a stopped run keeps a checkpoint to resume from");
  assert.match(presentRun(run!).description, /^stopped at epoch 0\/2/);

  const resumed: TrainerToHost[] = [];
  const second = new TrainerProcess({ trainerScript, cwd: root, experimentFile: file, resumeRunDir: runDir }, { message: (m) => resumed.push(m) });
  const end = await second.done;
  assert.equal(end.kind, "finished", JSON.stringify(end));
  const restart = resumed.find((m) => m.type === "runStarted");
  assert.equal(restart?.type === "runStarted" && restart.runDir, runDir);

  [run] = listRuns(describeExperiment(file).runsDir);
  assert.equal(run!.state, "finished");
  assert.equal(run!.summary?.epochsDone, 2);
  assert.match(presentRun(run!).description, /^kNN \d+\.\d%$/);
  assert.ok(run!.checkpoints.some((c) => c.meta.epoch === 2));
});

test("a real trainer killed mid-run is reported as a crash and its run reads as interrupted, resumable", { skip: !fs.existsSync(trainerScript) && "dist/trainer.js not built", timeout: 120_000 }, async () => {
  const dir = path.join(root, "killed");
  fs.mkdirSync(dir);
  const file = path.join(dir, "tiny.ssl.json");
  fs.writeFileSync(file, experiment);
  let runDir: string | undefined;
  const trainer: TrainerProcess = new TrainerProcess(
    { trainerScript, cwd: dir, experimentFile: file },
    {
      message: (m) => {
        if (m.type === "runStarted") runDir = m.runDir;
        if (m.type === "progress") trainer.kill();
      },
    },
  );
  const outcome = await trainer.done;
  assert.equal(outcome.kind, "crashed");
  if (outcome.kind === "crashed") assert.match(outcome.reason, /SIGKILL/);
  const [run] = listRuns(describeExperiment(file).runsDir);
  assert.equal(run!.dir, runDir);
  assert.equal(run!.state, "interrupted", "summary.json still says running, but its pid is dead");
  assert.ok(isResumable(run!), "the epoch-0 checkpoint is there to resume from");
  assert.equal(presentRun(run!).icon, "interrupted");
});

test("the real trainer's config failure names the file and field", { skip: !fs.existsSync(trainerScript) && "dist/trainer.js not built", timeout: 60_000 }, async () => {
  const file = path.join(root, "bad.ssl.json");
  fs.writeFileSync(file, '{\n  "train": { "epochz": 3 }\n}\n');
  const outcome = await new TrainerProcess({ trainerScript, cwd: root, experimentFile: file }).done;
  assert.equal(outcome.kind, "failed", JSON.stringify(outcome));
  if (outcome.kind === "failed") {
    assert.equal(outcome.file, file);
    assert.equal(outcome.field, "train.epochz");
    assert.equal(outcome.line, 2);
  }
  assert.equal(fs.existsSync(path.join(root, "runs", "bad")), false, "nothing written for a bad config");
});
