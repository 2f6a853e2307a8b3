/**
 * "SSL: Stop Run" during a run stops it after the current step with a valid
 * checkpoint; "SSL: Resume Run" continues the same run folder to the end.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { scenario } from "../lib/context";
import { assertValidCheckpoint, readSummary } from "../lib/runFiles";

const EPOCHS = 10;

export default scenario({
  name: "stop-and-resume",
  title: "SSL: Stop Run mid-run leaves a valid checkpoint; SSL: Resume Run continues it to the end",
  async run(ctx) {
    const { wb } = ctx;
    // About 2 s an epoch: long enough to stop in the middle, short enough to resume to the end.
    const exp = ctx.writeExperiment("stop-and-resume", { limit: { train: 1024, test: 200 }, train: { epochs: EPOCHS } });
    await wb.waitForTreeRow(`the new experiment "${exp.name}"`, (r) => r.level === 1 && r.label === exp.name);
    await wb.openFile(exp.relative);
    await wb.runCommand("SSL: Pretrain");

    const runDir = await wb.waitFor(
      "the run's first checkpoint after epoch 1",
      async () => {
        const run = ctx.runFolders(exp)[0];
        return run && ctx.completeCheckpoints(run).some((c) => Number(path.basename(c)) >= 1) ? run : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const runId = path.basename(runDir);
    await wb.runCommand("SSL: Stop Run");

    const stopped = await wb.waitForNotification(new RegExp(`^SSL: ${exp.name} stopped at epoch (\\d+)/${EPOCHS}\\. Checkpoint of (epoch [\\d]+(?: \\+ \\d+ steps)?) kept\\.`), {
      timeoutMs: 60_000,
    });
    assert.ok(stopped.buttons.includes("Resume"), `the stopped notification offers Resume: ${stopped.buttons.join(", ")}`);
    const stoppedRow = await wb.waitForRunRow(exp.name, "stopped", (r) => /^stopped at epoch \d+\/\d+$/.test(r.description), { runId });
    assert.equal(stoppedRow.icon, "debug-stop");
    assert.deepEqual(ctx.trainerPids(), [], "no trainer process is left after a stop");

    const summary = readSummary(runDir);
    assert.equal(summary.status, "stopped");
    assert.ok((summary.epochsDone as number) < EPOCHS, `stopped before the end (epochsDone ${summary.epochsDone})`);
    const checkpoints = ctx.completeCheckpoints(runDir);
    const last = checkpoints.at(-1)!;
    const meta = assertValidCheckpoint(last);
    const label = stopped.message.match(/Checkpoint of (.+) kept/)![1]!;
    const [epochPart, steps] = path.basename(last).split(".");
    assert.equal(label, steps ? `epoch ${epochPart} + ${steps} steps` : `epoch ${epochPart}`, `the notification names the last checkpoint (${path.basename(last)})`);
    assert.equal(meta.epoch, Number(epochPart));
    ctx.log(`stopped at ${stopped.message.match(/epoch \d+\/\d+/)![0]}, last checkpoint ${path.basename(last)} (step ${meta.step})`);

    await wb.clearNotifications();
    await wb.runCommand("SSL: Resume Run");
    await wb.pick(runId, `run ${runId} in the Resume Run picker`);

    const seen = new Set<string>();
    const finished = await wb.waitFor(
      "the resumed run to finish",
      async () => {
        const notes = await wb.notifications();
        for (const n of notes) seen.add(n.message);
        return notes.find((n) => new RegExp(`^SSL: ${exp.name} finished`).test(n.message));
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    assert.ok(
      [...seen].some((s) => new RegExp(`^SSL: ${exp.name}: (.*resumed after epoch ${meta.epoch}\\b|epoch \\d+/${EPOCHS} · loss)`).test(s)),
      `the resumed run showed its progress; saw: ${[...seen].join(" | ")}`,
    );
    const resumed = fs
      .readFileSync(path.join(runDir, "events.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; data?: { checkpoint?: string } })
      .filter((e) => e.type === "resumed");
    assert.equal(resumed.length, 1, "events.jsonl records one resume");
    assert.equal(resumed[0]!.data?.checkpoint, last, "the run resumed from the last checkpoint the stop left");
    assert.match(finished.message, new RegExp(`\\(epoch ${EPOCHS}/${EPOCHS}`));
    assert.deepEqual(ctx.runFolders(exp), [runDir], "resuming continues the same run folder");
    const done = readSummary(runDir);
    assert.equal(done.status, "finished");
    assert.equal(done.epochsDone, EPOCHS);
    const final = assertValidCheckpoint(ctx.completeCheckpoints(runDir).at(-1)!);
    assert.equal(final.epoch, EPOCHS);
    assert.ok(final.step > meta.step, "the final checkpoint is later than the one resumed from");
    const doneRow = await wb.waitForRunRow(exp.name, "its final kNN", (r) => /^kNN [\d.]+%$/.test(r.description), { runId });
    assert.equal(doneRow.icon, "pass");
    await ctx.screenshot();
  },
});
