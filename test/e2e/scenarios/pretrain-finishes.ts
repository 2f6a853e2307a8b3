/**
 * The walking skeleton as a person meets it: the SSL Experiments view lists
 * the example, "SSL: Pretrain" from the palette starts a run, progress shows,
 * the run finishes, and the tree and the run folder both show the result.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { scenario } from "../lib/context";
import { percent, readSummary } from "../lib/runFiles";
import { EXAMPLE_FILE } from "../lib/workspace";

export default scenario({
  name: "pretrain-finishes",
  title: "SSL: Pretrain on the example runs to the end; the tree shows the run's kNN; summary.json is written",
  async run(ctx) {
    const { wb } = ctx;
    const exp = ctx.experiment(EXAMPLE_FILE);
    const expRow = await wb.waitForTreeRow(`the example experiment "${exp.name}"`, (r) => r.level === 1 && r.label === exp.name);
    assert.equal(expRow.description, EXAMPLE_FILE, "the experiment row's description is its file");
    const before = ctx.runFolders(exp);

    await wb.openFile(exp.relative);
    await wb.runCommand("SSL: Pretrain");

    // Progress: the notification and status bar say the epoch and loss while the trainer works.
    const progress = new Set<string>();
    const finished = await wb.waitFor(
      "the run's progress, then its 'finished' notification",
      async () => {
        const notes = await wb.notifications();
        for (const n of notes) if (new RegExp(`^SSL: ${exp.name}: `).test(n.message)) progress.add(n.message);
        for (const s of await wb.statusBarTexts(new RegExp(`SSL ${exp.name}`))) progress.add(`status bar: ${s}`);
        return notes.find((n) => new RegExp(`^SSL: ${exp.name} finished`).test(n.message));
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    ctx.log(`${progress.size} progress messages seen, e.g. "${[...progress].find((p) => /· loss/.test(p)) ?? [...progress][0]}"`);
    assert.ok(
      [...progress].some((p) => /epoch \d+\/2 · loss \d/.test(p)),
      `no progress line "epoch N/2 · loss …" was shown while the run went; saw: ${[...progress].join(" | ") || "nothing"}`,
    );
    assert.equal(finished.severity, "info");
    const m = finished.message.match(/finished: kNN ([\d.]+%) → ([\d.]+%) \(epoch 2\/2/);
    assert.ok(m, `the finished notification gives kNN before → after and the epochs: "${finished.message}"`);
    assert.deepEqual(finished.buttons, ["Open Run Folder", "Show Log"]);

    // The run folder.
    const runs = ctx.runFolders(exp).filter((r) => !before.includes(r));
    assert.equal(runs.length, 1, `one new run folder under ${exp.runsDir}, found ${runs.length}`);
    const runDir = runs[0]!;
    const summary = readSummary(runDir);
    assert.equal(summary.status, "finished");
    assert.equal(summary.epochsDone, 2);
    assert.equal(percent(summary.knnFinal), m[2], "summary.json's kNN is the one the notification showed");
    for (const f of ["config.json", "metrics.jsonl", "events.jsonl"]) assert.ok(fs.existsSync(path.join(runDir, f)), `${f} is in the run folder`);

    // The tree: the run under the experiment, with its final kNN and a pass icon; its checkpoints below it.
    const runId = path.basename(runDir);
    const runRow = await wb.waitForRunRow(exp.name, `kNN ${m[2]}`, (r) => r.description === `kNN ${m[2]}`, { runId });
    assert.equal(runRow.icon, "pass", "a finished run has the pass icon");
    assert.match(runRow.tooltip, /kNN [\d.]+% at init → [\d.]+%/, "the run's tooltip gives kNN at init → final");
    await wb.expandRow(2, runId);
    const checkpoints = await wb.waitFor("the run's checkpoints in the tree", async () => {
      const rows = (await wb.experimentChildren(exp.name)).filter((r) => r.level === 3).map((r) => r.label);
      return rows.length >= 2 ? rows : undefined;
    });
    assert.deepEqual(checkpoints.slice(0, 2), ["epoch 2", "epoch 1"], "newest checkpoint first");
    await ctx.screenshot();
  },
});
