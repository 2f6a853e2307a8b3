/**
 * `npm run bench:curves`: how fast the loss-curves panel opens a run with
 * 1,000,000 logged points and how it copes with live updates at 10 per
 * second. Host side: reading the run (binary train records, and for
 * comparison parsing metrics.jsonl), smoothing + downsampling at the panel's
 * width, full range and zoomed. Page side: the panel's real bundle
 * (dist/webview/lossCurves.js) in headless Chromium, fed the host's answers;
 * it reports its drawing time, long tasks (> 50 ms) and the longest gap
 * between animation frames while live rows arrive.
 *
 * Options: --points N (default 1000000), --width PX (1200), --live-seconds S (5).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { encodeRecords, RECORD_FILES } from "../src/core/run/metricRecords";
import { appendLines, readRunSeries } from "../src/core/curves/readRunSeries";
import { RunSeries } from "../src/core/curves/runSeries";
import { plotData, SmoothingCache, type PlotRequest } from "../src/core/curves/plotData";
import type { HostToPanel, PanelRun } from "../src/protocol/lossCurves";
import type { MetricRow } from "../src/protocol/runFiles";

// Callbacks given to page.evaluate run in the browser; the project's tsconfig has no DOM lib.
declare const window: any;
declare const atob: (s: string) => string;
declare const requestAnimationFrame: (f: (time: number) => void) => void;

const { values } = parseArgs({ options: { points: { type: "string" }, width: { type: "string" }, "live-seconds": { type: "string" } } });
const POINTS = Number(values.points ?? 1_000_000);
const WIDTH = Number(values.width ?? 1200);
const LIVE_SECONDS = Number(values["live-seconds"] ?? 5);
const CHROMIUM = process.env.E2E_CHROMIUM || "/usr/bin/chromium";
const repoRoot = path.resolve(__dirname, "..");

const trainRow = (step: number): Extract<MetricRow, { kind: "train" }> => ({
  kind: "train",
  step,
  epoch: step / 1000,
  loss: 6 * Math.exp(-step / 200_000) + 0.3 * Math.sin(step / 50) * Math.random() + 0.5,
  lr: 0.3 * 0.5 * (1 + Math.cos((Math.PI * step) / POINTS)),
  imagesPerSec: 900 + 50 * Math.random(),
  time: step * 0.05,
});

function writeRun(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ method: "simclr" }));
  const jsonl = fs.openSync(path.join(dir, "metrics.jsonl"), "w");
  const train = fs.openSync(path.join(dir, RECORD_FILES.train), "w");
  const evals = fs.openSync(path.join(dir, RECORD_FILES.eval), "w");
  const chunk = 10_000;
  for (let start = 1; start <= POINTS; start += chunk) {
    const rows: MetricRow[] = Array.from({ length: Math.min(chunk, POINTS - start + 1) }, (_, i) => trainRow(start + i));
    const last = rows[rows.length - 1] as Extract<MetricRow, { kind: "train" }>;
    rows.push({ kind: "eval", step: last.step, epoch: last.epoch, time: last.time, knn: 0.5 + (0.3 * last.step) / POINTS });
    fs.writeSync(jsonl, rows.map((r) => JSON.stringify(r) + "\n").join(""));
    fs.writeSync(train, encodeRecords(rows, "train"));
    fs.writeSync(evals, encodeRecords(rows, "eval"));
  }
  for (const fd of [jsonl, train, evals]) fs.closeSync(fd);
}

const ms = (t0: number) => performance.now() - t0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const row = (what: string, value: string) => console.log(`${what.padEnd(58)} ${value}`);

function timeIt(f: () => void, repeat = 3): number {
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    f();
    times.push(ms(t0));
  }
  return median(times);
}

/** The panel's bundle in a plain page, with VS Code's API replaced by a recorder and a dark theme's colours. */
function harnessPage(dir: string): string {
  for (const f of ["lossCurves.js", "lossCurves.css"]) fs.copyFileSync(path.join(repoRoot, "dist", "webview", f), path.join(dir, f));
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="lossCurves.css">
<style>body{--vscode-font-family:sans-serif;--vscode-font-size:13px;--vscode-foreground:#cccccc;--vscode-descriptionForeground:#9d9d9d;--vscode-editor-background:#1e1e1e;--vscode-charts-blue:#3794ff;--vscode-charts-orange:#d18616;--vscode-charts-green:#89d185;--vscode-charts-purple:#b180d7;--vscode-charts-red:#f14c4c;--vscode-charts-yellow:#cca700}</style>
<script>
window.__posted = []; window.__longTasks = []; window.__maxFrameGap = 0;
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m) });
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ entryTypes: ["longtask"] });
let last = performance.now();
(function frame(now) { window.__maxFrameGap = Math.max(window.__maxFrameGap, now - last); last = now; requestAnimationFrame(frame); })(last);
</script></head><body><div id="app"></div><script src="lossCurves.js"></script></body></html>`;
  const file = path.join(dir, "index.html");
  fs.writeFileSync(file, html);
  return file;
}

const b64 = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");

/** A plot message with its arrays in base64 (page.evaluate passes JSON, slowly for long arrays); the page turns them back into Float64Arrays. */
function plotMessage(series: RunSeries, req: PlotRequest, cache: SmoothingCache, id: number) {
  const t0 = performance.now();
  const d = plotData(series, req, cache);
  const millis = ms(t0);
  return {
    millis,
    points: d.x.length,
    message: {
      type: "plot",
      id,
      view: { metric: req.metric, xAxis: req.xAxis, smoothing: req.smoothing, logScale: false, width: WIDTH, range: req.range },
      runs: [{ runDir: "/bench/run", label: "bench/run", color: { index: 0 }, x: b64(d.x), raw: b64(d.raw), smooth: b64(d.smooth), inRange: d.inRange, live: true }],
      extent: d.extent,
      millis,
    },
  };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-curves-"));
  try {
    const runDir = path.join(dir, "run");
    let t0 = performance.now();
    writeRun(runDir);
    const jsonlBytes = fs.statSync(path.join(runDir, "metrics.jsonl")).size;
    console.log(`loss-curves benchmark: ${POINTS.toLocaleString("en-US")} train points (${(jsonlBytes / 1e6).toFixed(0)} MB metrics.jsonl, written in ${(ms(t0) / 1000).toFixed(1)} s), plot width ${WIDTH} px, ${os.cpus().length} cores\n`);

    let series!: RunSeries;
    const readFast = timeIt(() => {
      const r = readRunSeries(runDir);
      if (!r.fastPath || r.series.train.count !== POINTS) throw new Error("the record files were not used");
      series = r.series;
    });
    row("read the run (record files)", `${readFast.toFixed(0)} ms`);
    const readText = timeIt(() => appendLines(new RunSeries(), fs.readFileSync(path.join(runDir, "metrics.jsonl"))), 1);
    row("  for comparison: parse every line of metrics.jsonl", `${readText.toFixed(0)} ms`);

    const req: PlotRequest = { metric: "loss", xAxis: "step", smoothing: 0.6, buckets: WIDTH };
    const cache = new SmoothingCache();
    const first = plotMessage(series, req, cache, 1);
    row("smooth (full series) + downsample, full range", `${first.millis.toFixed(0)} ms → ${first.points} points`);
    row("  again, smoothing cached", `${timeIt(() => plotData(series, req, cache)).toFixed(1)} ms`);
    const zoomReq = { ...req, range: [400_000, 400_000 + WIDTH / 2] as [number, number] };
    row(`zoomed to ${WIDTH / 2} steps (every real point)`, `${timeIt(() => plotData(series, zoomReq, cache)).toFixed(1)} ms → ${plotData(series, zoomReq, cache).x.length} points`);

    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage({ viewport: { width: WIDTH + 320, height: 800 } });
      await page.goto(`file://${harnessPage(dir)}`);
      await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === "ready"));
      const runs: PanelRun[] = [{ runDir: "/bench/run", runId: "run", experiment: "bench", state: "running", shown: true }];
      await page.evaluate((m) => window.postMessage(m, "*"), { type: "runs", runs, colorFields: [] } satisfies HostToPanel);

      const send = (m: unknown, waitFrame = true) =>
        page.evaluate(async ({ msg, waitFrame }) => {
          const w = window as unknown as { __posted: { type: string; id: number; millis: number }[] };
          const plot = msg as { id: number; runs: { x: string; raw: string; smooth: string }[] };
          // Inline on purpose: a named helper here would be wrapped by tsx in a function the page does not have.
          const typed = {
            ...plot,
            runs: plot.runs.map((r) => ({
              ...r,
              x: new Float64Array(Uint8Array.from(atob(r.x), (c) => c.charCodeAt(0)).buffer),
              raw: new Float64Array(Uint8Array.from(atob(r.raw), (c) => c.charCodeAt(0)).buffer),
              smooth: new Float64Array(Uint8Array.from(atob(r.smooth), (c) => c.charCodeAt(0)).buffer),
            })),
          };
          const t = performance.now();
          window.postMessage(typed, "*");
          if (waitFrame) await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
          const drawn = w.__posted.filter((p) => p.type === "drawn" && p.id === plot.id).pop();
          return { frame: performance.now() - t, draw: drawn?.millis ?? NaN };
        }, { msg: m, waitFrame });

      // Open: reading + host answer + page drawing, three times (a fresh read and smoothing each time).
      const opens: { host: number; frame: number; draw: number }[] = [];
      for (let i = 1; i <= 3; i++) {
        t0 = performance.now();
        const fresh = readRunSeries(runDir).series;
        const answer = plotMessage(fresh, req, new SmoothingCache(), i);
        const host = ms(t0);
        const drawn = await send(answer.message);
        opens.push({ host, ...drawn });
      }
      const mm = (xs: number[]) => `${median(xs).toFixed(0)} / ${Math.max(...xs).toFixed(0)} ms`;
      row("open: read + smooth + downsample (host), median / max", mm(opens.map((o) => o.host)));
      row("open: page draws the answer (to the painted frame)", mm(opens.map((o) => o.frame)));
      row("open: total, without the message transfer", mm(opens.map((o) => o.host + o.frame)));

      // Live: one new row every 100 ms, each answered with a repaint, as the panel does.
      await page.evaluate(() => {
        const w = window as unknown as { __longTasks: number[]; __maxFrameGap: number };
        w.__longTasks = [];
        w.__maxFrameGap = 0;
      });
      const hostTimes: number[] = [];
      const sent: Promise<unknown>[] = [];
      let step = POINTS;
      const end = Date.now() + LIVE_SECONDS * 1000;
      let lastId = 1;
      for (let id = 10; Date.now() < end; id++) {
        const tick = Date.now();
        series.append(trainRow(++step));
        const live = plotMessage(series, req, cache, id);
        hostTimes.push(live.millis);
        sent.push(send(live.message, false)); // not awaited: rows keep coming whether or not the page has caught up
        lastId = id;
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
      }
      await Promise.all(sent);
      await page.waitForFunction((id) => (window as { __posted: { type: string; id: number }[] }).__posted.some((p) => p.type === "drawn" && p.id === id), lastId);
      const pageTimes: number[] = await page.evaluate(() =>
        (window as { __posted: { type: string; id: number; millis: number }[] }).__posted.filter((p) => p.type === "drawn" && p.id >= 10).map((p) => p.millis),
      );
      const stats = await page.evaluate(() => {
        const w = window as { __longTasks: number[]; __maxFrameGap: number };
        return { longTasks: w.__longTasks, maxGap: w.__maxFrameGap };
      });
      row(`live: ${hostTimes.length} updates in ${LIVE_SECONDS} s, host answer (median / max)`, `${median(hostTimes).toFixed(1)} / ${Math.max(...hostTimes).toFixed(1)} ms`);
      row(`live: page drew ${pageTimes.length} updates, drawing time (median / max)`, `${median(pageTimes).toFixed(1)} / ${Math.max(...pageTimes).toFixed(1)} ms`);
      row("live: page long tasks (> 50 ms) / longest frame gap", `${stats.longTasks.length} / ${stats.maxGap.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
