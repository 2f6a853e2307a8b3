/**
 * Methods beyond SimCLR from the editor: a DINO experiment (EMA teacher,
 * multi-crop) and an MAE experiment (ViT backbone) each run to the end with
 * "SSL: Pretrain", and their run folders hold the final evaluation suite.
 */
import * as assert from "node:assert/strict";
import { scenario } from "../lib/context";
import { readSummary } from "../lib/runFiles";
import type { RunSummary } from "../../../src/protocol/runFiles";

export default scenario({
  name: "methods",
  title: "SSL: Pretrain runs a DINO and an MAE experiment to the end; each run reports its final evaluation",
  timeoutMs: 300_000,
  async run(ctx) {
    const { wb } = ctx;
    const experiments = [
      ctx.writeExperiment("methods-dino", { method: "dino", dino: { outDim: 64, bottleneck: 16 } }),
      ctx.writeExperiment("methods-mae", { method: "mae", model: { backbone: "vit", vit: { patchSize: 4, depth: 2, dim: 32, heads: 2 } } }),
    ];
    for (const exp of experiments) {
      const before = ctx.runFolders(exp);
      await wb.openFile(exp.relative);
      await wb.runCommand("SSL: Pretrain");
      const done = await wb.waitFor(
        `${exp.name}: the 'finished' notification`,
        async () => (await wb.notifications()).find((n) => new RegExp(`^SSL: ${exp.name} (finished|failed)`).test(n.message)),
        { timeoutMs: 120_000, intervalMs: 200 },
      );
      assert.match(done.message, new RegExp(`^SSL: ${exp.name} finished`), `${exp.name}: ${done.message}`);
      const runs = ctx.runFolders(exp).filter((r) => !before.includes(r));
      assert.equal(runs.length, 1, `${exp.name}: one new run folder`);
      const summary = readSummary(runs[0]!) as unknown as RunSummary;
      assert.equal(summary.status, "finished");
      assert.equal(summary.method, exp.name === "methods-dino" ? "dino" : "mae");
      const final = summary.finalEval!;
      assert.ok(final.knn! > 0.1 && final.linear!.length === 3 && final.rotation! > 0, `${exp.name}: final evaluation ${JSON.stringify(final)}`);
      // Collapse indicators belong to joint-embedding methods: DINO has them, MAE does not.
      assert.equal(final.collapse !== undefined, exp.name === "methods-dino");
      await wb.clearNotifications();
    }
    await ctx.screenshot();
  },
});
