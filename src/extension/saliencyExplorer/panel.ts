/**
 * The "Saliency Explorer" panel: the webview, and the state behind it (the
 * experiment, its images, the chosen image, the SaliencyCut settings of the
 * sliders, the cache's stats). Every change asks the worker again after a
 * short debounce; only the answer to the latest request reaches the webview.
 * The experiment is read as saved (what training and the CLI read) and
 * followed on disk.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { ConfigError, loadExperiment } from "../../core/config/load";
import { defaultSaliencyConfig, saliencyParams, SALIENCY_MAPS, SALIENCY_OUTPUTS, type SaliencyParams } from "../../core/config/saliencySchema";
import type {
  ExperimentIssue,
  HostToPanel,
  ImageList,
  PanelBuild,
  PanelExperiment,
  PanelImages,
  PanelSettings,
  PanelStats,
  PanelToHost,
  Selection,
} from "../../protocol/saliencyExplorer";
import { openWebviewPanel } from "../webviewPanel";
import { describeExperiment } from "../experiments";
import { lastRunHits } from "./lastRun";
import { imageSource, issuesOf, selectionIndex } from "./targets";
import { nextRequestId, type ExplorerWorkerClient } from "./workerClient";

export const EXPLORER_VIEW_TYPE = "ssl.saliencyExplorer";
export const EXPLORER_TITLE = "Saliency Explorer";
/** Coalesces a slider's burst of input events. */
const CONTROL_DELAY_MS = 60;
/** Quiet time after the experiment file changes on disk. */
const FILE_DELAY_MS = 300;
/** Stats older than this are read again when the panel comes back into view. */
const STATS_STALE_MS = 10_000;

export interface ExplorerPanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The shared worker, started on demand; `missing` says why there is none. */
  worker(): ExplorerWorkerClient | { missing: string };
  /** Starts (or joins) the build of the experiment's cache, with its notification. */
  build(experimentFile: string): void;
  cancelBuild(experimentFile: string): void;
  buildState(experimentFile: string): PanelBuild;
  pickExperiment(): Promise<string | undefined>;
  onDispose(panel: ExplorerPanel): void;
}

export interface ExplorerTarget {
  image?: string;
  experimentFile?: string;
}

const defaults = (): SaliencyParams => saliencyParams(defaultSaliencyConfig());
const sameParams = (a: SaliencyParams, b: SaliencyParams) => (Object.keys(a) as (keyof SaliencyParams)[]).every((k) => a[k] === b[k]);
const clampInt = (v: unknown, lo: number, hi: number) => (typeof v === "number" && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : undefined);

/** The panel's settings with a slider's edit applied (out-of-range values clamped, unknown values ignored). */
export function applyParamEdit(params: SaliencyParams, edit: Partial<Record<keyof SaliencyParams, unknown>>): SaliencyParams {
  const out = { ...params };
  if ((SALIENCY_MAPS as readonly unknown[]).includes(edit.map)) out.map = edit.map as SaliencyParams["map"];
  if ((SALIENCY_OUTPUTS as readonly unknown[]).includes(edit.output)) out.output = edit.output as SaliencyParams["output"];
  out.threshold = clampInt(edit.threshold, 1, 254) ?? out.threshold;
  out.iterations = clampInt(edit.iterations, 1, 10) ?? out.iterations;
  if (typeof edit.scale === "number" && Number.isFinite(edit.scale)) out.scale = Math.min(1, Math.max(0.05, Math.round(edit.scale * 100) / 100));
  return out;
}

export class ExplorerPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private experimentFile?: string;
  private experiment?: PanelExperiment;
  private issues: ExperimentIssue[] = [];
  private images?: PanelImages;
  private imagesError?: string;
  private selection?: Selection;
  private training = false;
  private params: SaliencyParams = defaults();
  private paletteSeed = 0;
  private watcher?: vscode.FileSystemWatcher;
  private fileTimer?: ReturnType<typeof setTimeout>;
  private timer?: ReturnType<typeof setTimeout>;
  private latestId = 0;
  private listId = 0;
  private statsId = 0;
  private statsAt = 0;
  private exploring = false;
  /** The last result or error shown, re-sent when the webview reloads. */
  private shown?: HostToPanel;
  private stats: PanelStats = { type: "stats", loading: false };
  private disposed = false;

  constructor(private readonly deps: ExplorerPanelDeps) {
    this.panel = openWebviewPanel({ extensionUri: deps.extensionUri, viewType: EXPLORER_VIEW_TYPE, title: EXPLORER_TITLE, bundle: "saliencyExplorer", beside: true });
    const webview = this.panel.webview;
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: PanelToHost) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
      this.panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible && this.experiment && Date.now() - this.statsAt > STATS_STALE_MS) void this.refreshStats();
      }),
    );
  }

  get currentExperiment(): string | undefined {
    return this.experimentFile;
  }

  get active(): boolean {
    return this.panel.active;
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** Shows an image and/or an experiment (keeping what is not given). */
  show(target: ExplorerTarget): void {
    if (target.experimentFile && target.experimentFile !== this.experimentFile) {
      if (!target.image) this.selection = undefined; // the new experiment's first image, once listed
      this.setExperiment(target.experimentFile);
    } else if (target.experimentFile) {
      this.loadExperiment(false); // asked again: read it again (its settings stay edited if they were)
    }
    if (target.image) {
      this.selection = { kind: "file", file: target.image };
      this.training = false;
    }
    this.postSettings();
    this.schedule(0);
    this.reveal();
  }

  private post(m: HostToPanel): void {
    if (this.disposed) return;
    if (m.type === "explored" || m.type === "failed") this.shown = m;
    void this.panel.webview.postMessage(m);
  }

  private settings(): PanelSettings {
    const index = selectionIndex(this.selection, this.images);
    const sel = this.selection;
    let selectionLabel: string | undefined;
    if (sel?.kind === "file") selectionLabel = vscode.workspace.asRelativePath(sel.file);
    else if (sel?.kind === "index") selectionLabel = `#${sel.index}${this.images?.labels[sel.index] ? ` ${this.images.labels[sel.index]}` : ""}`;
    return {
      type: "settings",
      experiment: this.experiment,
      images: this.images,
      imagesError: this.imagesError,
      selection: sel,
      selectionLabel,
      selectionIndex: index,
      training: sel?.kind === "index" || (this.training && index >= 0),
      trainingChoice: sel?.kind === "file" && index >= 0,
      params: this.params,
      paletteSeed: this.paletteSeed,
    };
  }

  private postSettings(): void {
    this.post(this.settings());
  }

  private setExperiment(file: string): void {
    this.experimentFile = file;
    this.experiment = undefined;
    this.images = undefined;
    this.imagesError = undefined;
    this.stats = { type: "stats", loading: false };
    this.watcher?.dispose();
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    const changed = () => {
      if (this.fileTimer) clearTimeout(this.fileTimer);
      this.fileTimer = setTimeout(() => this.loadExperiment(false), FILE_DELAY_MS);
    };
    this.watcher.onDidChange(changed);
    this.watcher.onDidCreate(changed);
    this.watcher.onDidDelete(changed);
    this.post(this.deps.buildState(file));
    this.loadExperiment(true);
  }

  /** Reads the experiment as saved; `switched`: a new experiment, whose settings replace the sliders'. */
  private loadExperiment(switched: boolean): void {
    const file = this.experimentFile;
    if (!file || this.disposed) return;
    const label = vscode.workspace.asRelativePath(file);
    const before = this.experiment?.params;
    try {
      const loaded = loadExperiment(file);
      const params = saliencyParams(loaded.config.saliency);
      // The file's settings win unless the sliders were moved away from them.
      if (switched || !before || sameParams(this.params, before)) this.params = params;
      this.experiment = { file, label, params };
      this.issues = [];
    } catch (e) {
      this.issues = e instanceof ConfigError ? issuesOf(e) : [{ file, line: 1, field: "", message: (e as Error).message }];
      this.experiment = { file, label, params: before ?? this.params };
      this.images = undefined;
      this.stats = { type: "stats", loading: false, error: "The experiment file has problems (above): no image list or cache stats until they are fixed." };
      this.post(this.stats);
    }
    this.post({ type: "issues", issues: this.issues });
    this.postSettings();
    if (!this.issues.length) {
      void this.listImages();
      void this.refreshStats();
    }
    this.schedule(0);
  }

  private async listImages(): Promise<void> {
    const file = this.experimentFile;
    const worker = this.deps.worker();
    if (!file) return;
    if ("missing" in worker) {
      this.imagesError = worker.missing;
      this.postSettings();
      return;
    }
    const id = (this.listId = nextRequestId());
    const reply = await worker.listImages({ id, experimentFile: file });
    if (id !== this.listId || this.disposed) return;
    if (reply.type === "images") {
      this.images = panelImages(reply.list);
      this.imagesError = undefined;
      const sel = this.selection;
      if (!sel || (sel.kind === "index" && sel.index >= reply.list.count)) {
        this.selection = reply.list.files ? { kind: "file", file: reply.list.files[0]! } : { kind: "index", index: 0 };
        this.schedule(0);
      } else if (sel.kind === "index" && reply.list.files) {
        this.selection = { kind: "file", file: reply.list.files[sel.index]! };
        this.schedule(0);
      }
    } else if (reply.type === "invalid") {
      this.issues = reply.issues;
      this.post({ type: "issues", issues: reply.issues });
    } else {
      this.images = undefined;
      this.imagesError = reply.error;
    }
    this.postSettings();
  }

  async refreshStats(): Promise<void> {
    const file = this.experimentFile;
    if (!file || this.issues.length) return;
    const worker = this.deps.worker();
    if ("missing" in worker) {
      this.stats = { type: "stats", loading: false, error: worker.missing };
      this.post(this.stats);
      return;
    }
    this.stats = { ...this.stats, loading: true };
    this.post(this.stats);
    const id = (this.statsId = nextRequestId());
    const reply = await worker.stats({ id, experimentFile: file });
    if (id !== this.statsId || this.disposed) return;
    this.statsAt = Date.now();
    if (reply.type === "stats") {
      let lastRun;
      try {
        lastRun = lastRunHits(describeExperiment(file).runsDir);
      } catch (e) {
        this.deps.log.warn(`saliency explorer: reading the runs of ${file}: ${(e as Error).message}`);
      }
      this.stats = { type: "stats", stats: reply.stats, lastRun, loading: false };
    } else if (reply.type === "invalid") {
      this.issues = reply.issues;
      this.post({ type: "issues", issues: reply.issues });
      this.stats = { type: "stats", loading: false, error: "The experiment file has problems (above)." };
    } else {
      this.stats = { type: "stats", loading: false, error: reply.error };
    }
    this.post(this.stats);
  }

  /** A build of `file`'s cache changed state (from the explorer that runs it). */
  onBuild(file: string, state: PanelBuild): void {
    if (file !== this.experimentFile) return;
    this.post(state);
    if (state.state === "done" || state.state === "failed") void this.refreshStats();
  }

  private onMessage(m: PanelToHost): void {
    if (!m || typeof m !== "object") return;
    switch (m.type) {
      case "ready":
        this.postSettings();
        this.post({ type: "issues", issues: this.issues });
        this.post(this.stats);
        if (this.experimentFile) this.post(this.deps.buildState(this.experimentFile));
        if (this.shown) this.post(this.shown);
        if (this.exploring) this.post({ type: "exploring", id: this.latestId });
        else if (!this.shown) this.schedule(0);
        return;
      case "select": {
        const s = m.selection;
        if (s?.kind === "file" && typeof s.file === "string" && path.isAbsolute(s.file)) this.selection = { kind: "file", file: s.file };
        else if (s?.kind === "index" && Number.isInteger(s.index) && s.index >= 0) this.selection = { kind: "index", index: s.index };
        else return;
        this.postSettings();
        this.schedule(0);
        return;
      }
      case "setParams": {
        const next = applyParamEdit(this.params, m.params ?? {});
        if (sameParams(next, this.params)) return;
        this.params = next;
        this.schedule(CONTROL_DELAY_MS);
        return;
      }
      case "resetParams":
        this.params = this.experiment?.params ?? defaults();
        break;
      case "setTraining":
        this.training = !!m.training;
        break;
      case "recolour":
        this.paletteSeed++;
        break;
      case "buildCache":
        if (this.experimentFile) this.deps.build(this.experimentFile);
        return;
      case "cancelBuild":
        if (this.experimentFile) this.deps.cancelBuild(this.experimentFile);
        return;
      case "refreshStats":
        void this.refreshStats();
        return;
      case "open":
        if (typeof m.file === "string" && path.isAbsolute(m.file)) void this.open(m.file, m.line);
        return;
      case "pickFile":
        void this.pickFile();
        return;
      case "pickExperiment":
        void this.deps.pickExperiment().then((file) => file && this.show({ experimentFile: file }));
        return;
      default:
        return;
    }
    this.postSettings();
    this.schedule(0);
  }

  private async open(file: string, line?: number): Promise<void> {
    const at = Number.isInteger(line) && line! > 0 ? new vscode.Position(line! - 1, 0) : undefined;
    await vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: vscode.ViewColumn.One, selection: at && new vscode.Range(at, at) });
  }

  private async pickFile(): Promise<void> {
    const near = this.selection?.kind === "file" ? path.dirname(this.selection.file) : this.experimentFile && path.dirname(this.experimentFile);
    const picked = await vscode.window.showOpenDialog({
      title: "SaliencyCut: choose an image",
      canSelectMany: false,
      filters: { Images: ["png", "jpg", "jpeg"] },
      defaultUri: near ? vscode.Uri.file(near) : undefined,
    });
    const file = picked?.[0];
    if (!file || file.scheme !== "file" || this.disposed) return;
    this.selection = { kind: "file", file: file.fsPath };
    this.postSettings();
    this.schedule(0);
  }

  schedule(ms: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.explore();
    }, ms);
  }

  private async explore(): Promise<void> {
    const file = this.experimentFile && !this.issues.length ? this.experimentFile : undefined;
    const source = imageSource(this.selection, this.training, file, this.images);
    if (!source) {
      // An index dataset waits for its experiment to be fixed; nothing chosen yet waits for the list.
      if (this.selection?.kind === "index" && this.issues.length) this.post({ type: "failed", error: "Fix the experiment file to show its training images." });
      return;
    }
    const worker = this.deps.worker();
    if ("missing" in worker) {
      this.post({ type: "failed", error: worker.missing });
      return;
    }
    const id = (this.latestId = nextRequestId());
    this.exploring = true;
    this.post({ type: "exploring", id });
    const started = Date.now();
    const reply = await worker.explore({ id, source, params: { ...this.params }, paletteSeed: this.paletteSeed });
    if (reply.type === "superseded" || id !== this.latestId || this.disposed) return;
    this.exploring = false;
    if (reply.type === "explored") {
      const r = reply.result;
      this.deps.log.debug(`saliency explorer: ${r.label} ${r.width}x${r.height}: ${r.totalMs} ms in the worker, ${Date.now() - started} ms end to end`);
      this.post({ type: "explored", result: r });
    } else if (reply.type === "invalid") {
      this.issues = reply.issues;
      this.post({ type: "issues", issues: reply.issues });
      this.post({ type: "failed", id, error: "The experiment file has problems (above)." });
    } else {
      this.deps.log.warn(`saliency explorer: ${reply.error}`);
      this.post({ type: "failed", id, error: reply.error });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.fileTimer) clearTimeout(this.fileTimer);
    this.watcher?.dispose();
    for (const d of this.subscriptions) d.dispose();
    this.panel.dispose();
    this.deps.onDispose(this);
  }
}

/** The worker's image list as the panel shows it: files relative to the experiment's folder, or classes. */
export function panelImages(list: ImageList): PanelImages {
  const base = path.dirname(list.experimentFile);
  return {
    format: list.format,
    count: list.count,
    labels: list.files ? list.files.map((f) => path.relative(base, f).split(path.sep).join("/")) : (list.classes ?? []),
    files: list.files,
    width: list.width,
    height: list.height,
  };
}
