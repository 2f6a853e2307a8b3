/**
 * The loss curves of a run as it trains: "SSL: Show Loss Curves" on the
 * experiment opens the panel, the curve grows while the trainer works (rows
 * from the trainer, not from re-reading the file), and once it finishes the
 * panel holds every logged step. Then: kNN as the metric (one point per
 * evaluation), a drag zooms in to the real points, a double-click zooms
 * out, a click on the curve picks its run, "Reveal in tree" selects it
 * there and "Checkpoints" opens its checkpoints; the CSV export writes
 * every point and the PNG export the plot. Last, two experiments selected in the tree → "Compare Runs" overlays
 * their runs, coloured by their learning rate; screenshots in the dark and
 * the light theme.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Frame } from "playwright-core";
import { scenario, type ScenarioContext } from "../lib/context";
import { TINY } from "../lib/workspace";

// Callbacks given to frame.evaluate run in the browser; the project's tsconfig has no DOM lib.
declare const document: any;
declare const window: any;
declare const getComputedStyle: any;

interface Status {
  text: string;
  points: number;
  inRange: number;
}

const curvesFrame = (ctx: ScenarioContext): Promise<Frame> => ctx.wb.webviewFrame('[data-testid="chart"] canvas', "the loss-curves panel's webview", ctx.log);

const status = (frame: Frame): Promise<Status> =>
  frame.evaluate(() => {
    const el = document.querySelector('[data-testid="status"]');
    return { text: String(el?.textContent ?? ""), points: Number(el?.dataset.points ?? -1), inRange: Number(el?.dataset.inRange ?? -1) };
  });

const rowsOf = (runDir: string, kind: string, has?: string) =>
  fs
    .readFileSync(path.join(runDir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.kind === kind && (!has || r[has] !== undefined));

/** Sets a vscode-single-select in the page as a pick would, and fires its change event. */
const choose = (frame: Frame, testid: string, value: string) =>
  frame.evaluate(
    ([id, v]: string[]) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      el.value = v;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    },
    [testid, value],
  );

export default scenario({
  name: "loss-curves",
  title: "Show Loss Curves follows a live run; kNN; drag zooms to real points; click a curve → reveal its run; CSV/PNG export; Compare Runs coloured by lr",
  timeoutMs: 240_000,
  async run(ctx) {
    const { wb, page } = ctx;
    const exp = ctx.writeExperiment("curves", { train: { ...(TINY.train as object), epochs: 12 }, eval: { every: 4 } });
    await wb.waitForTreeRow(`the experiment "${exp.name}"`, (r) => r.level === 1 && r.label === exp.name);
    await wb.openFile(exp.relative);
    await wb.runCommand("SSL: Pretrain");
    const runDir = await wb.waitFor("the run's folder", async () => ctx.runFolders(exp)[0], { timeoutMs: 60_000 });
    const runId = path.basename(runDir);

    await wb.openFile(exp.relative);
    await wb.runCommand("SSL: Show Loss Curves");
    const frame = await curvesFrame(ctx);

    // Live: the number of points grows while the trainer works.
    const seen: number[] = [];
    await wb.waitFor(
      "the curve to grow at least three times while the run is live",
      async () => {
        const s = await status(frame);
        if (s.inRange > 0 && s.inRange !== seen[seen.length - 1]) seen.push(s.inRange);
        return seen.length >= 3;
      },
      { timeoutMs: 90_000, intervalMs: 50 },
    );
    ctx.log(`live points seen: ${seen.join(" → ")}`);
    await wb.waitForNotification(new RegExp(`^SSL: ${exp.name} finished`), { timeoutMs: 120_000 });
    const trainRows = rowsOf(runDir, "train").length;
    const final = await wb.waitFor(`all ${trainRows} logged steps in the panel`, async () => {
      const s = await status(frame);
      return s.inRange === trainRows ? s : undefined;
    });
    assert.match(final.text, /^1 run · /);
    assert.ok(seen[0]! < trainRows, `the panel showed the run before it finished (${seen[0]} of ${trainRows} points)`);

    // kNN: one point per evaluation.
    await choose(frame, "metric", "knn");
    const evals = rowsOf(runDir, "eval", "knn").length;
    await wb.waitFor(`${evals} kNN points`, async () => (await status(frame)).inRange === evals);
    await choose(frame, "metric", "loss");
    await wb.waitFor("the loss curve again", async () => (await status(frame)).inRange === trainRows);

    // Zoom: drag across the middle fifth of the plot; the host sends the real points there.
    const over = frame.locator('[data-testid="chart"] .u-over');
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    const zoomed = await wb.waitFor("fewer points after the zoom", async () => {
      const s = await status(frame);
      return s.inRange > 0 && s.inRange < trainRows ? s : undefined;
    });
    assert.equal(zoomed.points, zoomed.inRange, "zoomed in, every real point is drawn");
    ctx.log(`zoomed: ${zoomed.text}`);
    await over.dblclick({ position: { x: box.width / 2, y: box.height / 2 } });
    await wb.waitFor("the whole run after a double-click", async () => (await status(frame)).inRange === trainRows);

    // Click on the curve: find the smoothed line's colour in a column of the canvas, as an eye would.
    const spot = await frame.evaluate(() => {
      const canvas = document.querySelector('[data-testid="chart"] canvas');
      const ctx2d = canvas.getContext("2d");
      const want = getComputedStyle(document.body).getPropertyValue("--vscode-charts-blue").trim() || "#3794ff";
      const n = parseInt(want.slice(1, 7), 16);
      const [r0, g0, b0] = [n >> 16, (n >> 8) & 255, n & 255];
      const rect = canvas.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      for (const fx of [0.5, 0.45, 0.55, 0.35, 0.65]) {
        const x = Math.round(canvas.width * fx);
        const column = ctx2d.getImageData(x, 0, 1, canvas.height).data;
        for (let y = 0; y < canvas.height; y++) {
          const [r, g, b] = [column[y * 4], column[y * 4 + 1], column[y * 4 + 2]];
          if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) < 40) return { x: rect.left + x / dpr, y: rect.top + y / dpr };
        }
      }
      return undefined;
    });
    assert.ok(spot, "the curve is drawn in the run's colour");
    const frameBox = (await (await frame.frameElement()).boundingBox())!;
    await page.mouse.move(frameBox.x + spot.x, frameBox.y + spot.y + 1);
    await page.waitForTimeout(200);
    await page.mouse.down();
    await page.mouse.up();
    const picked = await wb.waitFor("the picked run's name", async () => {
      const t = await frame.evaluate(() => {
        const el = document.querySelector('[data-testid="picked-run"]');
        return el && !el.closest("[hidden]") ? String(el.textContent) : undefined;
      });
      return t || undefined;
    });
    assert.equal(picked, `${exp.name}/${runId}`);
    await frame.locator('[data-testid="action-reveal"]').click();
    await wb.waitForRunRow(exp.name, "selected", (r) => r.selected, { runId });
    // "Checkpoints" opens the Checkpoint Browser on that run; then back to the curves.
    await frame.locator('[data-testid="action-checkpoints"]').click();
    const browser = await wb.webviewFrame('[data-testid="table"]', "the Checkpoint Browser's webview", ctx.log);
    const checkpoints = ctx.completeCheckpoints(runDir).length;
    await wb.waitFor(`the run's ${checkpoints} checkpoints in the browser`, async () => (await browser.evaluate(() => document.querySelectorAll('[data-testid="row"]').length)) === checkpoints);
    await page.locator(".tabs-container .tab", { hasText: "Loss Curves" }).click();

    // CSV: the save dialog proposes curves-loss.csv in the workspace; accept it.
    const csv = path.join(ctx.workspace, "curves-loss.csv");
    fs.rmSync(csv, { force: true });
    await frame.locator('[data-testid="export-csv"]').click();
    await wb.waitFor("the save dialog", () => wb.quickInputVisible(), { timeoutMs: 15_000 });
    await page.keyboard.press("Enter");
    await wb.waitFor(`${path.basename(csv)} written`, async () => fs.existsSync(csv) && fs.readFileSync(csv, "utf8").split("\n").filter(Boolean).length === trainRows + 1);
    const header = fs.readFileSync(csv, "utf8").split("\n")[0];
    assert.equal(header, "run,step,epoch,time,loss,loss_smoothed");

    // PNG: the plot as an image, with a title and legend above and below it.
    const png = path.join(ctx.workspace, "curves-loss.png");
    fs.rmSync(png, { force: true });
    await frame.locator('[data-testid="export-png"]').click();
    await wb.waitFor("the save dialog", () => wb.quickInputVisible(), { timeoutMs: 15_000 });
    await page.keyboard.press("Enter");
    await wb.waitFor(`${path.basename(png)} written`, async () => fs.existsSync(png) && fs.statSync(png).size > 1000);
    const bytes = fs.readFileSync(png);
    assert.equal(bytes.subarray(1, 4).toString("latin1"), "PNG");
    const canvasSize = await frame.evaluate(() => {
      const c = document.querySelector('[data-testid="chart"] canvas');
      return { width: c.width, height: c.height };
    });
    assert.equal(bytes.readUInt32BE(16), canvasSize.width, "the image is the plot's width");
    assert.ok(bytes.readUInt32BE(20) > canvasSize.height, "and taller than the plot (title and legend)");

    // Compare: a second experiment with another learning rate; select both experiments in the tree, "Compare Runs".
    const other = ctx.writeExperiment("curves-fast", { train: { ...(TINY.train as object), lr: 0.004 } });
    await wb.waitForTreeRow(`the experiment "${other.name}"`, (r) => r.level === 1 && r.label === other.name);
    await wb.openFile(other.relative);
    await wb.runCommand("SSL: Pretrain");
    await wb.waitForNotification(new RegExp(`^SSL: ${other.name} finished`), { timeoutMs: 120_000 });
    const row = (label: string) => page.locator(".sidebar .monaco-list-row[aria-level='1']").filter({ has: page.locator(".label-name", { hasText: new RegExp(`^${label}$`) }) });
    await row(exp.name).click();
    await row(other.name).click({ modifiers: ["Control"] });
    await row(other.name).click({ button: "right" });
    // VS Code's context menu ignores a click that comes right after it opened (the right-click's own mouse-up).
    const compare = page.locator(".context-view .action-item", { hasText: "Compare Runs" }).first();
    await compare.waitFor({ state: "visible", timeout: 10_000 });
    await page.waitForTimeout(500);
    await compare.click();
    await wb.waitFor("both experiments' runs in the panel", async () => /^2 runs · /.test((await status(frame)).text));
    await choose(frame, "color-by", "train.lr");
    const legend = await wb.waitFor("the colour legend of train.lr", async () => {
      const t: string = await frame.evaluate(() => String(document.querySelector('[data-testid="legend"]')?.textContent ?? ""));
      return t.includes("train.lr") ? t : undefined;
    });
    assert.match(legend, /0\.002.*0\.004/, "the legend spans the runs' learning rates");
    await wb.clearNotifications();
    await ctx.screenshotBothThemes();
  },
});
