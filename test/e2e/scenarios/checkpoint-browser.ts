/**
 * "SSL: Browse Checkpoints" as a person meets it: for a finished run (made
 * with the CLI, evaluated at epochs 0 and 2 only), the palette command and
 * a pick of the run open the table with one row per checkpoint on disk;
 * a header click sorts by kNN (the unevaluated epoch 1 last), a second one
 * reverses it; "Evaluate now" (kNN) on epoch 1 fills its kNN cell with the
 * value written to its eval.json; "Export TF.js model" writes model.json and
 * weights.bin; "Nearest neighbours" shows four test images with five
 * training images each; "Delete…" asks in a modal dialog, then the row and
 * the folder go.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Frame } from "playwright-core";
import { scenario, type ScenarioContext } from "../lib/context";

// Callbacks given to frame.evaluate run in the browser; the project's tsconfig has no DOM lib.
declare const document: any;

const run = promisify(execFile);

interface TableState {
  title: string;
  rows: { name: string; selected: boolean; cells: Record<string, string> }[];
  sort: Record<string, string>;
  jobs: { action: string; state: string; text: string }[];
}

const browserFrame = (ctx: ScenarioContext): Promise<Frame> => ctx.wb.webviewFrame('[data-testid="table"]', "the Checkpoint Browser's webview", ctx.log);

async function tableState(frame: Frame): Promise<TableState> {
  return frame.evaluate(() => ({
    title: String(document.querySelector('[data-testid="title"]')?.textContent ?? ""),
    rows: [...document.querySelectorAll('[data-testid="row"]')].map((tr: any) => ({
      name: String(tr.dataset.name),
      selected: tr.getAttribute("aria-selected") === "true",
      cells: Object.fromEntries([...tr.querySelectorAll("td")].map((td: any) => [String(td.dataset.col), String(td.textContent ?? "")])),
    })),
    sort: Object.fromEntries([...document.querySelectorAll("th")].map((th: any) => [String(th.dataset.col), String(th.getAttribute("aria-sort"))])),
    jobs: [...document.querySelectorAll('[data-testid="job"]')].map((j: any) => ({ action: String(j.dataset.action), state: String(j.dataset.state), text: String(j.textContent ?? "") })),
  }));
}

/** Waits for the action's job line to end; fails on a failed one. */
async function jobDone(ctx: ScenarioContext, frame: Frame, action: string, timeoutMs = 120_000): Promise<string> {
  const job = await ctx.wb.waitFor(
    `the ${action} action to finish in the panel`,
    async () => (await tableState(frame)).jobs.find((j) => j.action === action && j.state !== "running"),
    { timeoutMs, intervalMs: 200 },
  );
  assert.equal(job.state, "done", `${action}: ${job.text}`);
  return job.text;
}

const knnColumn = (s: TableState) => s.rows.map((r) => r.cells.knn ?? "");

export default scenario({
  name: "checkpoint-browser",
  title: "SSL: Browse Checkpoints on a finished run: one row per checkpoint, sort by kNN, Evaluate now fills a kNN cell, Export TF.js model, Delete (confirmed)",
  timeoutMs: 300_000,
  async run(ctx) {
    const { wb, page } = ctx;
    // Evaluations at epochs 0 and 2 only: epoch 1's kNN is for the browser to measure.
    const exp = ctx.writeExperiment("ckpts", { eval: { every: 2 } });
    const t0 = Date.now();
    await run(process.execPath, [path.join(ctx.repoRoot, "dist", "cli.js"), "pretrain", exp.file], { cwd: ctx.workspace, timeout: 180_000 });
    const [runDir] = ctx.runFolders(exp);
    assert.ok(runDir, "the CLI made a run");
    const runId = path.basename(runDir);
    const onDisk = ctx.completeCheckpoints(runDir).map((d) => path.basename(d));
    assert.deepEqual(onDisk, ["0", "1", "2"]);
    ctx.log(`run ${runId} made by the CLI in ${Date.now() - t0} ms`);

    await wb.runCommand("View: Close Primary Side Bar");
    await wb.runCommand("SSL: Browse Checkpoints");
    await wb.pick(runId, `run ${runId} in the quick pick`);
    const frame = await browserFrame(ctx);
    const first = await wb.waitFor("the checkpoints table", async () => {
      const s = await tableState(frame);
      return s.rows.length ? s : undefined;
    });
    assert.equal(first.title, `Checkpoints of ${runId} · ckpts`);
    assert.deepEqual(first.rows.map((r) => r.name), onDisk, "one row per checkpoint on disk, oldest first");
    assert.equal(first.rows.find((r) => r.selected)?.name, "2", "the newest checkpoint is selected");
    assert.equal(first.rows[1]!.cells.knn, "—", "epoch 1 was not evaluated by the run");
    assert.match(first.rows[0]!.cells.knn!, /^\d+\.\d%$/);
    assert.match(first.rows[2]!.cells.size!, /^[\d.]+ KiB$/);
    assert.equal(first.rows[2]!.cells.backend, "wasm");
    assert.equal(await page.locator(".tab", { hasText: `Checkpoints: ${runId}` }).count(), 1, "the panel's tab");

    // Sort by kNN: ascending with the missing value last, then descending.
    await frame.locator('[data-testid="col-knn"] button').click();
    const asc = await tableState(frame);
    assert.equal(asc.sort.knn, "ascending");
    const pct = (s: string) => Number(s.replace("%", ""));
    const [a, b, missing] = knnColumn(asc);
    assert.ok(pct(a!) <= pct(b!), `ascending: ${knnColumn(asc).join(", ")}`);
    assert.equal(missing, "—");
    await frame.locator('[data-testid="col-knn"] button').click();
    const desc = await tableState(frame);
    assert.equal(desc.sort.knn, "descending");
    assert.deepEqual(knnColumn(desc), [b, a, "—"]);

    // Evaluate now (kNN) on epoch 1: its cell fills with what eval.json holds.
    await frame.locator('[data-testid="row"][data-name="1"]').click();
    assert.match(await frame.locator('[data-testid="selected"]').innerText(), /epoch 1$/);
    const tEval = Date.now();
    await frame.locator('[data-testid="evaluate"]').click();
    const evaluated = await jobDone(ctx, frame, "evaluate");
    ctx.log(`evaluate kNN: "${evaluated.trim()}" ${Date.now() - tEval} ms after the click (worker start included)`);
    const stored = ctx.readJson<{ report: { knn: number } }>(path.join(runDir, "checkpoints", "1", "eval.json")).report.knn;
    const filled = await wb.waitFor("epoch 1's kNN cell", async () => {
      const s = await tableState(frame);
      const cell = s.rows.find((r) => r.name === "1")?.cells.knn;
      return cell && cell !== "—" ? cell : undefined;
    });
    assert.equal(filled, `${(stored * 100).toFixed(1)}%`, "the table shows the stored kNN");
    assert.match(evaluated, new RegExp(`epoch 1: kNN ${filled.replace(".", "\\.")}`));

    // Export the selected checkpoint as a TF.js model.
    await frame.locator('[data-testid="row"][data-name="2"]').click();
    const tExport = Date.now();
    await frame.locator('[data-testid="export-model"]').click();
    const exported = await jobDone(ctx, frame, "exportModel");
    const modelJson = path.join(runDir, "exports", "epoch-2-tfjs", "model.json");
    assert.ok(fs.existsSync(modelJson), `${modelJson} exists`);
    assert.equal(ctx.readJson<{ format: string }>(modelJson).format, "layers-model");
    assert.ok(fs.statSync(path.join(path.dirname(modelJson), "weights.bin")).size > 0);
    await wb.waitForNotification(/TensorFlow\.js model \(tf\.loadLayersModel\): model\.json \+ weights\.bin/, { severity: "info" });
    ctx.log(`export: "${exported.trim()}" ${Date.now() - tExport} ms after the click`);

    // The neighbours gallery of the selected checkpoint: four test images, five training images each.
    await frame.locator('[data-testid="neighbours"]').click();
    await jobDone(ctx, frame, "neighbours");
    const gallery = await frame.evaluate(() => [...document.querySelectorAll('[data-testid="gallery-row"]')].map((r: any) => r.querySelectorAll('[data-testid="neighbour"] img').length));
    assert.deepEqual(gallery, [5, 5, 5, 5]);
    await wb.clearNotifications();
    await ctx.screenshotBothThemes();

    // Delete epoch 0: a modal question, then the row and the folder go.
    await frame.locator('[data-testid="row"][data-name="0"]').click();
    await frame.locator('[data-testid="delete"]').click();
    const dialog = page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible", timeout: 10_000 });
    assert.match(await dialog.innerText(), /Delete checkpoint epoch 0 of \S+ \([\d.]+ KiB\)\?/);
    assert.ok(await wb.answerDialog("Delete"), "the dialog's Delete button");
    await wb.waitFor("the deleted row to go", async () => {
      const s = await tableState(frame);
      return s.rows.length === 2 && !s.rows.some((r) => r.name === "0") ? s : undefined;
    });
    assert.ok(!fs.existsSync(path.join(runDir, "checkpoints", "0")), "the folder is gone");
    assert.deepEqual(ctx.completeCheckpoints(runDir).map((d) => path.basename(d)), ["1", "2"]);
    await jobDone(ctx, frame, "delete");
  },
});
