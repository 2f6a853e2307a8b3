/**
 * The plot (uPlot): one raw and one smoothed line per run, x zoom by
 * dragging (the host answers with the real points of the new range),
 * double-click to zoom out, hover readout, and a click on a curve to pick
 * its run. The chart is rebuilt when what is drawn changes (runs, colours,
 * scale) and only fed new data otherwise (live updates, zoom).
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { metricById, X_AXIS_LABELS } from "../../src/core/curves/metrics";
import type { HostToPanel, PlotRun } from "../../src/protocol/lossCurves";
import { h } from "../augmentPreview/dom";
import { faded, palette, runColor, swatch } from "./colors";

type Plot = Extract<HostToPanel, { type: "plot" }>;

export interface ChartEvents {
  /** The person zoomed (a range) or zoomed out (undefined). */
  range(range: [number, number] | undefined): void;
  /** A click on a curve (its run) or on empty space (undefined). */
  pick(runDir: string | undefined): void;
}

const cssVar = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

function formatValue(v: number, percent: boolean | undefined): string {
  if (!Number.isFinite(v)) return "–";
  if (percent) return `${(v * 100).toFixed(2)}%`;
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(5);
}

/** Index of the point of `x` nearest to `v`. */
function nearest(x: Float64Array, v: number): number {
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (x[mid]! < v) lo = mid;
    else hi = mid;
  }
  return Math.abs(x[lo]! - v) <= Math.abs(x[hi]! - v) ? lo : hi;
}

export class Chart {
  readonly el = h("div", { class: "chart", "data-testid": "chart" });
  readonly readout = h("div", { class: "readout", "data-testid": "readout" });
  private u?: uPlot;
  private structure = "";
  private plot?: Plot;
  /** uPlot series index → index into plot.runs. */
  private seriesRun: number[] = [];
  private focused: number | null = null;
  private selected?: string;
  /** The x range this code last set: uPlot reports it back (later, batched), and that is not a zoom. */
  private setByCode?: [number, number];
  private downAt?: { x: number; y: number };

  constructor(private readonly events: ChartEvents) {}

  get width(): number {
    return Math.max(200, Math.floor(this.el.clientWidth || 800));
  }

  select(runDir: string | undefined): void {
    if (this.selected === runDir) return;
    this.selected = runDir;
    if (this.plot) this.draw(this.plot, true);
  }

  /** Draws an answer of the host; returns how many points were drawn. */
  draw(plot: Plot, rebuild = false): number {
    this.plot = plot;
    const smoothing = plot.view.smoothing > 0;
    const colors = palette();
    const structure = JSON.stringify([plot.runs.map((r) => [r.runDir, r.color]), plot.view.metric, plot.view.xAxis, plot.view.logScale, smoothing, this.selected, colors]);
    const tables = plot.runs.map((r) => (smoothing ? [Array.from(r.x), Array.from(r.raw), Array.from(r.smooth)] : [Array.from(r.x), Array.from(r.raw)]));
    const data = (tables.length === 1 ? tables[0] : tables.length ? uPlot.join(tables as uPlot.AlignedData[]) : [[]]) as uPlot.AlignedData;
    if (rebuild || !this.u || structure !== this.structure) {
      this.structure = structure;
      this.build(plot, data, colors);
    } else {
      this.u.setData(data, false);
    }
    this.setRange(plot.view.range ?? plot.extent);
    return plot.runs.reduce((n, r) => n + r.x.length, 0);
  }

  /** Draws the last answer again from scratch (new theme colours). */
  redraw(): void {
    if (this.plot) this.draw(this.plot, true);
  }

  resize(): void {
    this.u?.setSize(this.size());
  }

  private size(): { width: number; height: number } {
    return { width: this.width, height: Math.max(220, (this.el.clientHeight || 420) - 4) };
  }

  private setRange(range: [number, number] | undefined): void {
    if (!this.u || !range) return;
    this.setByCode = range;
    this.u.setScale("x", { min: range[0], max: range[1] });
  }

  private build(plot: Plot, data: uPlot.AlignedData, colors: string[]): void {
    this.u?.destroy();
    const view = plot.view;
    const metric = metricById(view.metric);
    const smoothing = view.smoothing > 0;
    const sparse = metric?.table === "eval";
    const fg = cssVar("--vscode-descriptionForeground", "#888");
    const grid = faded(cssVar("--vscode-foreground", "#888"), 0.1);
    const series: uPlot.Series[] = [{}];
    this.seriesRun = [-1];
    plot.runs.forEach((r, i) => {
      const color = runColor(r.color, colors);
      const chosen = this.selected === r.runDir;
      const dim = this.selected !== undefined && !chosen;
      const width = chosen ? 3 : 1.5;
      const points = { show: sparse, size: chosen ? 7 : 5 };
      if (smoothing) {
        series.push({ label: `${r.label} (raw)`, stroke: faded(color, dim ? 0.1 : 0.3), width: 1, points, spanGaps: true });
        this.seriesRun.push(i);
      }
      series.push({ label: r.label, stroke: dim ? faded(color, 0.35) : color, width, points, spanGaps: true });
      this.seriesRun.push(i);
    });
    const positive = plot.runs.every((r) => r.raw.every((v) => v > 0));
    const opts: uPlot.Options = {
      ...this.size(),
      series,
      legend: { show: false },
      focus: { alpha: 0.4 },
      cursor: {
        drag: { x: true, y: false, setScale: true },
        focus: { prox: 24 },
        bind: { dblclick: () => () => null },
      },
      scales: {
        x: { time: false },
        y: view.logScale ? (positive ? { distr: 3 } : { distr: 4, asinh: 1 }) : {},
      },
      axes: [
        { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: X_AXIS_LABELS[view.xAxis], labelSize: 20 },
        {
          stroke: fg,
          grid: { stroke: grid, width: 1 },
          ticks: { stroke: grid },
          size: 64,
          values: (_u, splits) => splits.map((v) => (metric?.percent ? `${(v * 100).toFixed(0)}%` : formatValue(v, false))),
        },
      ],
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== "x") return;
            const { min, max } = u.scales.x!;
            if (min === undefined || max === undefined || min === null || max === null) return;
            const own = this.setByCode;
            if (own && Math.abs(own[0] - min) <= 1e-9 * Math.max(1, Math.abs(min)) && Math.abs(own[1] - max) <= 1e-9 * Math.max(1, Math.abs(max))) return;
            this.events.range([min, max]);
          },
        ],
        setSeries: [(_u, idx) => (this.focused = idx ?? null)],
        setCursor: [(u) => this.showReadout(u)],
      },
    };
    this.u = new uPlot(opts, data, this.el);
    this.u.over.addEventListener("dblclick", () => this.events.range(undefined));
    this.u.over.addEventListener("mousedown", (e) => (this.downAt = { x: e.clientX, y: e.clientY }));
    this.u.over.addEventListener("mouseup", (e) => {
      const d = this.downAt;
      this.downAt = undefined;
      if (!d || Math.hypot(e.clientX - d.x, e.clientY - d.y) > 3) return; // a drag: a zoom, not a click
      const run = this.focused !== null ? this.plot?.runs[this.seriesRun[this.focused] ?? -1] : undefined;
      this.events.pick(run?.runDir);
    });
  }

  private showReadout(u: uPlot): void {
    const plot = this.plot;
    if (!plot || u.cursor.left === undefined || u.cursor.left < 0) {
      this.readout.replaceChildren();
      return;
    }
    const x = u.posToVal(u.cursor.left, "x");
    const metric = metricById(plot.view.metric);
    const colors = palette();
    const rows = plot.runs
      .filter((r) => r.x.length > 0)
      .map((r: PlotRun) => {
        const i = nearest(r.x, x);
        const value = plot.view.smoothing > 0 ? `${formatValue(r.smooth[i]!, metric?.percent)} (raw ${formatValue(r.raw[i]!, metric?.percent)})` : formatValue(r.raw[i]!, metric?.percent);
        return h(
          "div",
          { class: "readout-row", "data-testid": "readout-row" },
          swatch(runColor(r.color, colors)),
          h("span", { class: "readout-label" }, r.label),
          h("span", { class: "readout-x" }, `${X_AXIS_LABELS[plot.view.xAxis].toLowerCase()} ${formatValue(r.x[i]!, false)}`),
          h("span", { class: "readout-value" }, value),
        );
      });
    this.readout.replaceChildren(...rows);
  }

  /** The chart as a PNG with a title and the runs' legend, on the theme's background. */
  toPng(title: string): string | undefined {
    const u = this.u;
    const plot = this.plot;
    if (!u || !plot) return undefined;
    const src = u.ctx.canvas;
    const dpr = window.devicePixelRatio || 1;
    const line = 18 * dpr;
    const out = document.createElement("canvas");
    out.width = src.width;
    out.height = src.height + line * (2 + plot.runs.length);
    const ctx = out.getContext("2d")!;
    ctx.fillStyle = cssVar("--vscode-editor-background", "#1e1e1e");
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = cssVar("--vscode-foreground", "#ccc");
    ctx.font = `${13 * dpr}px ${cssVar("--vscode-font-family", "sans-serif")}`;
    ctx.fillText(title, 8 * dpr, line);
    ctx.drawImage(src, 0, line * 1.5);
    const colors = palette();
    plot.runs.forEach((r, i) => {
      const y = line * 1.5 + src.height + line * (i + 1);
      ctx.fillStyle = runColor(r.color, colors);
      ctx.fillRect(8 * dpr, y - 10 * dpr, 12 * dpr, 4 * dpr);
      ctx.fillStyle = cssVar("--vscode-foreground", "#ccc");
      ctx.fillText(r.label, 26 * dpr, y - 4 * dpr);
    });
    return out.toDataURL("image/png");
  }
}
