/**
 * "SSL: Preview Augmentations" as a person meets it: the panel opens beside
 * the experiment with a grid of originals and views; every tile is the very
 * pixels `ssl-studio preview` puts in its PNG for the same seed; Resample
 * changes the seed; switching an op off and moving a p slider re-render
 * within a second; hovering a view lists the ops that fired; "Apply to file"
 * writes the edited views into the document (comments kept) and Ctrl+Z takes
 * them back; a broken config shows its problems instead of images; closing
 * the panel stops the preview worker.
 */
import * as assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { Frame } from "playwright-core";
import sharp from "sharp";
import { gridLayout } from "../../../src/core/augment/previewGrid";
import { scenario, type ScenarioContext } from "../lib/context";

// Callbacks given to frame.evaluate run in the browser; the project's tsconfig has no DOM lib.
declare const document: any;
declare const performance: { now(): number };
declare const MutationObserver: any;

const run = promisify(execFile);

const NAME = "preview";
const TEXT = `// The augmentation preview's scenario: SimCLR's recipe on 16x16 views.
{
  "method": "simclr",
  "seed": 3,
  "backend": "wasm",
  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },
  "imageSize": 16,
  "augment": {
    // Two views, ops written one per line.
    "views": [
      {
        "name": "view",
        "count": 2,
        "ops": [
          { "op": "randomResizedCrop", "scale": [0.2, 1] },
          { "op": "hflip", "p": 0.5 },
          { "op": "colorJitter", "p": 0.8, "brightness": 0.4, "contrast": 0.4, "saturation": 0.4, "hue": 0.1 },
          { "op": "grayscale", "p": 0.2 }
        ]
      }
    ]
  },
  "train": { "epochs": 3, "batchSize": 64 }
}
`;

interface Tile {
  row: number;
  col: number;
  index: number;
  png: string;
}

interface PanelState {
  state: string;
  requestId: string;
  scale: number;
  seed: string;
  count: string;
  draft: boolean;
  tiles: Tile[];
}

/** The frame that holds the preview panel's page. */
const previewFrame = (ctx: ScenarioContext): Promise<Frame> => ctx.wb.webviewFrame('[data-testid="grid"]', "the preview panel's webview", ctx.log);

async function panelState(frame: Frame): Promise<PanelState> {
  return frame.evaluate(() => {
    const grid = document.querySelector('[data-testid="grid"]');
    const app = document.getElementById("app");
    const tiles = [...document.querySelectorAll('[data-testid="tile"]')].map((el: any) => ({
      row: Number(el.dataset.row),
      col: Number(el.dataset.col),
      index: Number(el.dataset.index),
      png: String(el.querySelector("img")?.getAttribute("src") ?? "").replace(/^data:image\/png;base64,/, ""),
    }));
    return {
      state: String(app?.dataset.state ?? ""),
      requestId: String(grid?.dataset.requestId ?? ""),
      scale: Number(grid?.dataset.scale ?? 0),
      seed: String(document.querySelector('[data-testid="seed"]')?.value ?? ""),
      count: String(document.querySelector('[data-testid="count"]')?.value ?? ""),
      draft: !document.querySelector('[data-testid="draft"]')?.hidden,
      tiles,
    };
  });
}

/** Waits for a finished render newer than `after` (a request id), with every tile filled. */
async function waitForGrid(ctx: ScenarioContext, frame: Frame, what: string, after = ""): Promise<PanelState> {
  return ctx.wb.waitFor(
    what,
    async () => {
      const s = await panelState(frame);
      return s.state === "rendered" && s.requestId !== after && s.tiles.length > 0 && s.tiles.every((t) => t.png) ? s : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

const changedTiles = (a: PanelState, b: PanelState) => a.tiles.filter((t, i) => b.tiles[i]?.png !== t.png);

/** Pixels as RGB, whatever the PNG's channels. */
async function rgb(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 3);
  return { data, width: info.width, height: info.height };
}

/** Every tile of the panel equals its cell of the CLI's grid PNG, pixel for pixel (each tile pixel a scale x scale block). */
async function assertSameAsCli(ctx: ScenarioContext, file: string, s: PanelState, seed?: number): Promise<void> {
  const out = path.join(ctx.stateDir, `${NAME}-grid-${seed ?? "config"}.png`);
  const args = [path.join(ctx.repoRoot, "dist", "cli.js"), "preview", file, "--out", out, "--count", s.count, ...(seed === undefined ? [] : ["--seed", String(seed)])];
  const { stdout } = await run(process.execPath, args, { cwd: ctx.repoRoot, timeout: 120_000 });
  ctx.log(`CLI: ${stdout.trim().split("\n")[0]}`);
  const grid = await rgb(fs.readFileSync(out));
  const rows = Math.max(...s.tiles.map((t) => t.row)) + 1;
  const tiles = await Promise.all(s.tiles.map(async (t) => ({ ...t, px: await rgb(Buffer.from(t.png, "base64")) })));
  const sizes = Array.from({ length: rows }, (_, r) => tiles.filter((t) => t.row === r).sort((a, b) => a.col - b.col).map((t) => ({ width: t.px.width, height: t.px.height })));
  const layout = gridLayout(sizes);
  assert.equal(s.scale, layout.scale, "the panel upscales tiles by the CLI grid's factor");
  assert.deepEqual([grid.width, grid.height], [layout.width, layout.height], "the CLI's PNG has the layout previewGrid.ts computes for the panel's tiles");
  const indices = /indices ([\d, ]+)/.exec(stdout)?.[1]?.split(", ").map(Number);
  if (indices) assert.deepEqual([...new Set(tiles.map((t) => t.index))], indices, "the same training images, in the same order");
  for (const t of tiles) {
    const cell = layout.cells[t.row]![t.col]!;
    let mismatches = 0;
    let first = "";
    for (let y = 0; y < cell.height; y++) {
      for (let x = 0; x < cell.width; x++) {
        const src = (Math.floor(y / layout.scale) * t.px.width + Math.floor(x / layout.scale)) * 3;
        const dst = ((cell.y + y) * grid.width + cell.x + x) * 3;
        for (let k = 0; k < 3; k++) {
          if (t.px.data[src + k] !== grid.data[dst + k]) {
            if (!mismatches++) first = `at (${x}, ${y}) channel ${k}: panel ${t.px.data[src + k]}, CLI ${grid.data[dst + k]}`;
          }
        }
      }
    }
    assert.equal(mismatches, 0, `tile row ${t.row} column ${t.col} (image ${t.index}) differs from the CLI's cell in ${mismatches} values, first ${first}`);
  }
  ctx.log(`${tiles.length} tiles equal the CLI's cells (seed ${seed ?? "of the config"}, scale ${layout.scale})`);
}

/** The document as the editor shows it, whitespace dropped (the editor renders spaces as U+00A0 and may wrap lines). */
async function editorText(ctx: ScenarioContext): Promise<string> {
  const lines = await ctx.page.locator(".editor-group-container .monaco-editor .view-lines .view-line").evaluateAll((els: any[]) =>
    els.map((e) => ({ top: parseFloat(e.style.top) || 0, text: String(e.textContent ?? "") })).sort((a, b) => a.top - b.top).map((l) => l.text),
  );
  return lines.join("").replace(/[\s\u00a0]+/g, "");
}

const squeeze = (s: string) => s.replace(/\s+/g, "");

/**
 * Moves a slider in the panel the way a drag ends (value set, input event)
 * and returns the milliseconds until the new grid is in the page with its
 * images decoded.
 */
async function sliderLatency(frame: Frame, op: string, field: string, value: number): Promise<number> {
  return frame.evaluate(
    async ({ op, field, value }) => {
      const input = document.querySelector(`[data-testid="op"][data-name="${op}"] [data-testid="op-${field}"]`);
      const grid = document.querySelector('[data-testid="grid"]');
      const app = document.getElementById("app");
      const before = grid.dataset.requestId;
      const t0 = performance.now();
      input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise<void>((resolve) => {
        const obs = new MutationObserver(() => {
          if (grid.dataset.requestId !== before && app.dataset.state === "rendered") {
            obs.disconnect();
            resolve();
          }
        });
        obs.observe(grid, { attributes: true });
        obs.observe(app, { attributes: true });
      });
      await Promise.all([...grid.querySelectorAll("img")].map((i: any) => i.decode().catch(() => undefined)));
      return performance.now() - t0;
    },
    { op, field, value },
  );
}

function workerPids(ctx: ScenarioContext): number[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes(ctx.server.extensionsDir) && /dist\/previewWorker\.js/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

export default scenario({
  name: "augment-preview",
  title: "SSL: Preview Augmentations: tiles equal the CLI's PNG; toggles and sliders re-render; hover shows the draws; Apply to file + Ctrl+Z",
  timeoutMs: 300_000,
  async run(ctx) {
    const { wb, page } = ctx;
    // Room for the editor and the panel side by side (the runner's reset brings the side bar back).
    await wb.runCommand("View: Close Primary Side Bar");
    const relative = ctx.writeFile(`${NAME}.ssl.json`, TEXT);
    const file = path.join(ctx.workspace, relative);
    await wb.openFile(relative);
    const t0 = Date.now();
    await wb.runCommand("SSL: Preview Augmentations");
    const frame = await previewFrame(ctx);
    const first = await waitForGrid(ctx, frame, "the first grid");
    ctx.log(`first grid after ${Date.now() - t0} ms: ${first.tiles.length} tiles, seed ${first.seed}, count ${first.count}`);
    assert.equal(await wb.page.locator(".tab", { hasText: `Augmentations: ${NAME}.ssl.json` }).count(), 1, "the panel's tab");
    assert.equal(first.seed, "3", "the seed starts as the config's");
    assert.equal(first.count, "8");
    const labels = await frame.locator('[data-testid="column-label"]').allTextContents();
    assert.deepEqual(labels, ["original", "view 1", "view 2"]);
    assert.equal(first.tiles.length, 8 * 3);

    // The panel shows what `ssl-studio preview` (and training) computes for the config's seed.
    await assertSameAsCli(ctx, file, first);

    // Running the command again (from the editor) re-reveals the same panel.
    await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
    await wb.runCommand("SSL: Preview Augmentations");
    await ctx.sleep(500);
    assert.equal(await wb.page.locator(".tab", { hasText: `Augmentations: ${NAME}.ssl.json` }).count(), 1, "still one panel");

    // Resample: the next seed, new images.
    await frame.locator('[data-testid="resample"]').click();
    const resampled = await waitForGrid(ctx, frame, "the grid after Resample", first.requestId);
    assert.equal(resampled.seed, "4");
    assert.ok(changedTiles(first, resampled).length > 0, "Resample changes the grid");
    await assertSameAsCli(ctx, file, resampled, 4);

    // Hover a view: the ops that fired and what they drew.
    await frame.locator('[data-testid="tile"][data-row="0"][data-col="1"]').hover();
    const trace = await wb.waitFor("the hover's trace", async () => {
      const t = frame.locator('[data-testid="trace"]');
      return (await t.isVisible()) ? (await t.innerText()).trim() : undefined;
    });
    ctx.log(`trace: ${trace.replace(/\n/g, " | ")}`);
    assert.match(trace, /view 1 · training image \d+/);
    assert.match(trace, /crop \d+×\d+ at \(\d+, \d+\)/, "the crop is always drawn");
    await ctx.screenshotBothThemes({ keepMouse: true });

    // Switch colour jitter off: the draft re-renders, the originals stay.
    const toggle = frame.locator('[data-testid="op"][data-name="colorJitter"] [data-testid="op-toggle"]');
    await toggle.click();
    const jitterOff = await waitForGrid(ctx, frame, "the grid with colorJitter off", resampled.requestId);
    const changed = changedTiles(resampled, jitterOff);
    ctx.log(`colorJitter off: ${changed.length} tiles changed`);
    assert.ok(changed.length > 0, "switching colorJitter off changes the views");
    assert.ok(changed.every((t) => t.col > 0), "the originals do not change");
    assert.equal(jitterOff.draft, true, "the panel has a draft");
    assert.equal(await frame.locator('[data-testid="op"][data-name="colorJitter"] [data-testid="op-p"]').inputValue(), "0");

    // Sliders: each move gives a new grid; how long it takes.
    const latencies: number[] = [];
    for (const value of [1, 0, 0.5, 1]) latencies.push(await sliderLatency(frame, "hflip", "p", value));
    const sorted = [...latencies].sort((a, b) => a - b);
    ctx.log(`slider → new grid: ${latencies.map((l) => `${Math.round(l)} ms`).join(", ")} (median ${Math.round((sorted[1]! + sorted[2]!) / 2)} ms)`);
    assert.ok(Math.max(...latencies) < 1000, `a slider change re-renders within a second (took ${latencies.map(Math.round).join(", ")} ms)`);
    const edited = await panelState(frame);
    assert.ok(changedTiles(jitterOff, edited).length > 0, "hflip p = 1 flips the views that were not flipped");
    await wb.screenshot(path.join(ctx.resultsDir, `${ctx.name}.draft.png`));

    // Apply to file: the document (unsaved) now has the edited views; comments and one-line ops kept.
    await frame.locator('[data-testid="apply"]').click();
    const expected = squeeze(
      TEXT.replace('{ "op": "hflip", "p": 0.5 }', '{ "op": "hflip", "p": 1 }').replace('{ "op": "colorJitter", "p": 0.8,', '{ "op": "colorJitter", "p": 0,'),
    );
    await wb.waitFor("the edited views in the editor", async () => (await editorText(ctx)) === expected);
    assert.equal(fs.readFileSync(file, "utf8"), TEXT, "nothing is saved to disk");
    const applied = await waitForGrid(ctx, frame, "the grid of the file with the applied views", edited.requestId);
    assert.equal(applied.draft, false, "no draft once applied");
    assert.equal(changedTiles(edited, applied).length, 0, "the file's views render exactly as the draft did");
    await wb.screenshot(path.join(ctx.resultsDir, `${ctx.name}.applied.png`));

    // Ctrl+Z in the editor takes the edit back; the preview follows.
    await page.locator(".editor-group-container .monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+Z");
    await wb.waitFor("the original views in the editor after Ctrl+Z", async () => (await editorText(ctx)) === squeeze(TEXT));
    const undone = await waitForGrid(ctx, frame, "the grid after Ctrl+Z", applied.requestId);
    assert.equal(changedTiles(resampled, undone).length, 0, "the grid is the file's again");

    // A broken config: its problems instead of images; fixing it brings the grid back.
    await wb.clickEndOfLine('"seed":');
    await page.keyboard.type(" x");
    await page.keyboard.press("Escape");
    const issues = await wb.waitFor("the config's problems in the panel", async () => {
      const s = await panelState(frame);
      if (s.state !== "invalid") return undefined;
      return frame.locator('[data-testid="issue"]').allInnerTexts();
    });
    ctx.log(`problems: ${issues.join(" | ")}`);
    assert.ok(issues.some((i) => /line \d+/.test(i) && /invalid JSON/.test(i)), `an issue with its line: ${issues.join(" | ")}`);
    assert.equal(await frame.locator('[data-testid="grid"]').isVisible(), false, "no stale grid");
    await wb.screenshot(path.join(ctx.resultsDir, `${ctx.name}.invalid.png`));
    for (let i = 0; i < 4 && (await editorText(ctx)) !== squeeze(TEXT); i++) {
      await page.keyboard.press("Control+Z");
      await ctx.sleep(200);
    }
    await waitForGrid(ctx, frame, "the grid after the fix", undone.requestId);

    // A worker that dies is replaced by the next render.
    const pids = workerPids(ctx);
    assert.equal(pids.length, 1, `one preview worker runs while the panel is open (found ${pids.join(", ") || "none"})`);
    process.kill(pids[0]!, "SIGKILL");
    await wb.waitFor("the killed worker to be gone", async () => !workerPids(ctx).includes(pids[0]!), { timeoutMs: 5_000 });
    const beforeResample = await panelState(frame);
    await frame.locator('[data-testid="resample"]').click();
    const restarted = await waitForGrid(ctx, frame, "a grid from a restarted worker", beforeResample.requestId);
    assert.equal(restarted.seed, "5");
    assert.equal(workerPids(ctx).length, 1, "a new worker");

    // Closing the panel stops the worker.
    await wb.runCommand("View: Close All Editors");
    await wb.answerDialog("Don't Save");
    await wb.waitFor("the preview worker to exit after the panel closed", async () => workerPids(ctx).length === 0, { timeoutMs: 10_000 });
  },
});
