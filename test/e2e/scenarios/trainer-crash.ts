/**
 * The trainer child process dies mid-run (SIGKILL, as the OOM killer would):
 * the editor carries on, the error says what happened, the tree marks the
 * run failed.
 */
import * as assert from "node:assert/strict";
import { scenario } from "../lib/context";

export default scenario({
  name: "trainer-crash",
  title: "Killing the trainer mid-run: the editor stays responsive, the error names the cause, the run shows failed",
  async run(ctx) {
    const { wb, page } = ctx;
    const exp = ctx.writeExperiment("trainer-crash", { limit: { train: 1024, test: 200 }, train: { epochs: 30 } });
    await wb.waitForTreeRow(`the new experiment "${exp.name}"`, (r) => r.level === 1 && r.label === exp.name);
    await wb.openFile(exp.relative);
    await wb.runCommand("SSL: Pretrain");
    await wb.waitForRunRow(exp.name, "training progress", (r) => /^epoch \d+\/30 · loss/.test(r.description), { timeoutMs: 60_000 });
    const pids = await wb.waitFor("the trainer process (dist/trainer.js) in ps", async () => {
      const p = ctx.trainerPids();
      return p.length ? p : undefined;
    });
    assert.equal(pids.length, 1, `one trainer runs: ${pids.join(", ")}`);
    ctx.log(`killing trainer pid ${pids[0]} with SIGKILL`);
    process.kill(pids[0]!, "SIGKILL");

    const note = await wb.waitForNotification(new RegExp(`^SSL: the trainer for ${exp.name} was killed \\(SIGKILL`), { severity: "error" });
    assert.deepEqual(note.buttons, ["Open Log"]);
    const row = await wb.waitForRunRow(exp.name, "failed", (r) => r.description.startsWith("failed: the trainer was killed"));
    assert.equal(row.icon, "error", "a failed run has the error icon");
    assert.match(row.tooltip, /failed: the trainer was killed \(SIGKILL/);
    await wb.waitFor("the SSL status bar item to go", async () => (await wb.statusBarTexts(new RegExp(`SSL ${exp.name}`))).length === 0);

    // Still responsive: the palette opens at once and runs a command; the editor takes typing.
    const t0 = Date.now();
    await wb.openPalette(5_000);
    ctx.log(`palette opened ${Date.now() - t0} ms after asking`);
    await page.keyboard.press("Escape");
    await wb.runCommand("SSL: Show Log");
    const logLine = await wb.waitFor("the SSL Studio log to name the cause", async () => {
      const lines = await page.locator(".panel .view-lines .view-line").allInnerTexts();
      return lines.map((l) => l.replace(/\u00a0/g, " ")).find((l) => l.includes(`[${exp.name}] the trainer was killed (SIGKILL`));
    });
    ctx.log(`log: ${logLine.trim()}`);
    await wb.clickEndOfLine('"seed":');
    await page.keyboard.type(" ");
    await wb.waitFor("the edit to show in the editor tab (dirty)", async () => (await page.locator(".tab.active.dirty").count()) > 0);
    await page.keyboard.press("Control+Z");
    await ctx.screenshot();
  },
});
