/**
 * The "Loss Curves" panel: which runs are shown, the page's current view,
 * and the answers to it. Every answer is computed from the full-resolution
 * series in the CurveStore (smoothing first, then downsampling to the
 * page's width and visible range), so zooming in re-asks and gets the real
 * points. Live rows repaint at most ten times a second.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { plotData, SmoothingCache } from "../../core/curves/plotData";
import { curvesCsv } from "../../core/curves/csv";
import { metricById, X_AXES } from "../../core/curves/metrics";
import type { CurveView, HostToPanel, PanelRun, PanelToHost, PlotRun, RunAction } from "../../protocol/lossCurves";
import { openWebviewPanel } from "../webviewPanel";
import type { RunChoice } from "../commands/pickers";
import type { RunRegistry } from "../runRegistry";
import type { CurveStore } from "./curveStore";
import { colorBy, colorFields, flattenConfig, type Leaf } from "./runColors";

export const CURVES_VIEW_TYPE = "ssl.lossCurves";
export const CURVES_TITLE = "Loss Curves";
/** Live rows arrive every step: the page is repainted at most this often. */
const LIVE_REPAINT_MS = 100;

export interface CurvesPanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  registry: RunRegistry;
  store: CurveStore;
  /** Every run of the workspace's experiments, newest first. */
  listRuns(): Promise<RunChoice[]>;
  act(action: RunAction, run: RunChoice): Promise<void>;
  onDispose(): void;
}

const DEFAULT_VIEW: CurveView = { metric: "loss", xAxis: "step", smoothing: 0.6, logScale: false, width: 800 };

export class CurvesPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private runs: RunChoice[] = [];
  private shown: string[] = [];
  private view: CurveView = DEFAULT_VIEW;
  private readonly configs = new Map<string, Map<string, Leaf>>();
  private readonly smoothing = new Map<string, SmoothingCache>();
  private liveTimer?: ReturnType<typeof setTimeout>;
  private listTimer?: ReturnType<typeof setTimeout>;
  private ready = false;
  private disposed = false;

  constructor(private readonly deps: CurvesPanelDeps) {
    this.panel = openWebviewPanel({ extensionUri: deps.extensionUri, viewType: CURVES_VIEW_TYPE, title: CURVES_TITLE, bundle: "lossCurves", beside: false });
    const webview = this.panel.webview;
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: PanelToHost) => void this.onMessage(m).catch((e) => this.fail(e))),
      this.panel.onDidDispose(() => this.dispose()),
      deps.store.onChange((runDir) => {
        if (this.shown.includes(runDir)) this.scheduleLive();
      }),
      deps.registry.onChange((c) => {
        if (c.kind === "added" || c.kind === "removed" || c.kind === "state") this.scheduleList();
      }),
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Shows these runs: instead of the current ones (`replace`) or beside them. */
  async show(runDirs: readonly string[], replace: boolean): Promise<void> {
    const dirs = runDirs.map((d) => path.resolve(d));
    this.shown = replace ? [...new Set(dirs)] : [...new Set([...this.shown, ...dirs])];
    this.view = { ...this.view, range: undefined };
    await this.refreshList();
    if (this.shown.length === 0 && this.runs[0]) this.shown = [path.resolve(this.runs[0].run.dir)];
    this.followShown();
    this.postRuns();
    this.postPlot(0);
    this.reveal();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.liveTimer);
    clearTimeout(this.listTimer);
    for (const s of this.subscriptions) s.dispose();
    this.panel.dispose();
    this.deps.onDispose();
  }

  private async onMessage(m: PanelToHost): Promise<void> {
    switch (m.type) {
      case "ready":
        this.ready = true;
        this.postRuns();
        this.postPlot(0);
        return;
      case "view":
        this.view = sanitizeView(m.view, this.view);
        this.postPlot(m.id);
        return;
      case "setRuns":
        this.shown = m.runDirs.map((d) => path.resolve(d)).filter((d) => this.runs.some((r) => path.resolve(r.run.dir) === d));
        this.followShown();
        this.postRuns();
        this.postPlot(0);
        return;
      case "select":
        if (m.runDir) await this.actOn(m.runDir, "reveal");
        return;
      case "runAction":
        await this.actOn(m.runDir, m.action);
        return;
      case "exportCsv":
        return this.exportCsv();
      case "exportPng":
        return this.exportPng(m.dataUrl);
      case "drawn":
        this.deps.log.debug(`loss curves: drew ${m.points} points in ${m.millis.toFixed(1)} ms`);
        return;
    }
  }

  private choice(runDir: string): RunChoice | undefined {
    const dir = path.resolve(runDir);
    return this.runs.find((r) => path.resolve(r.run.dir) === dir);
  }

  private async actOn(runDir: string, action: RunAction): Promise<void> {
    const run = this.choice(runDir);
    if (run) await this.deps.act(action, run);
  }

  private scheduleLive(): void {
    if (this.liveTimer) return;
    this.liveTimer = setTimeout(() => {
      this.liveTimer = undefined;
      this.postPlot(0);
    }, LIVE_REPAINT_MS);
  }

  private scheduleList(): void {
    clearTimeout(this.listTimer);
    this.listTimer = setTimeout(() => void this.refreshList().then(() => this.postRuns()), 500);
  }

  private async refreshList(): Promise<void> {
    this.runs = await this.deps.listRuns();
    this.followShown();
  }

  /** The store keeps the shown runs only, and follows those still running (a run trained elsewhere changes on disk only). */
  private followShown(): void {
    this.deps.store.retain(this.shown);
    for (const dir of this.smoothing.keys()) if (!this.shown.includes(dir)) this.smoothing.delete(dir);
    for (const r of this.runs) {
      const dir = path.resolve(r.run.dir);
      if (this.shown.includes(dir)) this.deps.store.follow(dir, r.run.state === "running");
    }
  }

  private post(m: HostToPanel): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  private postRuns(): void {
    const runs: PanelRun[] = this.runs.map((r) => ({
      runDir: path.resolve(r.run.dir),
      runId: r.run.id,
      experiment: r.experimentName,
      state: this.deps.registry.byRunDir(r.run.dir) ? "running" : r.run.state,
      shown: this.shown.includes(path.resolve(r.run.dir)),
    }));
    this.post({ type: "runs", runs, colorFields: colorFields(this.shown.map((d) => this.config(d))) });
  }

  private config(runDir: string): Map<string, Leaf> {
    let c = this.configs.get(runDir);
    if (!c) {
      try {
        c = flattenConfig(JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8")));
      } catch {
        c = new Map();
      }
      this.configs.set(runDir, c);
    }
    return c;
  }

  private label(runDir: string): string {
    const r = this.choice(runDir);
    return r ? `${r.experimentName}/${r.run.id}` : path.basename(runDir);
  }

  private postPlot(id: number): void {
    if (!this.ready) return;
    const started = performance.now();
    const view = this.view;
    const colors = view.colorBy ? colorBy(view.colorBy, this.shown.map((d) => this.config(d))) : undefined;
    let extent: [number, number] | undefined;
    const runs: PlotRun[] = this.shown.map((dir, i) => {
      let cache = this.smoothing.get(dir);
      if (!cache) this.smoothing.set(dir, (cache = new SmoothingCache()));
      const data = plotData(this.deps.store.get(dir), { metric: view.metric, xAxis: view.xAxis, smoothing: view.smoothing, range: view.range, buckets: view.width }, cache);
      if (data.extent) extent = extent ? [Math.min(extent[0], data.extent[0]), Math.max(extent[1], data.extent[1])] : data.extent;
      return {
        runDir: dir,
        label: this.label(dir),
        color: colors?.colors[i] ?? { index: i },
        x: data.x,
        raw: data.raw,
        smooth: data.smooth,
        inRange: data.inRange,
        live: this.deps.registry.byRunDir(dir) !== undefined || this.choice(dir)?.run.state === "running",
      };
    });
    this.post({ type: "plot", id, view, runs, extent, legend: colors?.legend, millis: performance.now() - started });
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.deps.log.error(`loss curves: ${message}`);
    this.post({ type: "error", message });
  }

  private async saveAs(defaultName: string, filters: Record<string, string[]>, data: string | Uint8Array): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, defaultName) : undefined, filters, title: `SSL: Export ${defaultName}` });
    if (!uri) return;
    fs.writeFileSync(uri.fsPath, data);
    void vscode.window.showInformationMessage(`SSL: saved ${vscode.workspace.asRelativePath(uri)}`);
  }

  private async exportCsv(): Promise<void> {
    const v = this.view;
    const runs = this.shown.map((d) => ({ label: this.label(d), series: this.deps.store.get(d) }));
    await this.saveAs(`curves-${v.metric}.csv`, { CSV: ["csv"] }, curvesCsv(runs, v.metric, v.xAxis, v.smoothing, v.range));
  }

  private async exportPng(dataUrl: string): Promise<void> {
    const match = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
    if (!match) throw new Error("the page sent no PNG");
    await this.saveAs(`curves-${this.view.metric}.png`, { PNG: ["png"] }, Buffer.from(match[1]!, "base64"));
  }
}

/** The page's view, with anything unknown replaced by the current value (the page is not trusted to be right). */
export function sanitizeView(v: Partial<CurveView>, current: CurveView): CurveView {
  const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);
  return {
    metric: typeof v.metric === "string" && metricById(v.metric) ? v.metric : current.metric,
    xAxis: (X_AXES as readonly unknown[]).includes(v.xAxis) ? v.xAxis! : current.xAxis,
    smoothing: num(v.smoothing) ? Math.min(0.999, Math.max(0, v.smoothing)) : current.smoothing,
    logScale: typeof v.logScale === "boolean" ? v.logScale : current.logScale,
    range: Array.isArray(v.range) && v.range.length === 2 && num(v.range[0]) && num(v.range[1]) && v.range[0] < v.range[1] ? [v.range[0], v.range[1]] : undefined,
    width: num(v.width) ? Math.min(8192, Math.max(50, Math.round(v.width))) : current.width,
    colorBy: typeof v.colorBy === "string" && v.colorBy ? v.colorBy : undefined,
  };
}
