/**
 * The "Checkpoint Browser" panel: the webview, and the state behind it (what
 * it shows, the table read from disk, the selected checkpoint, the latest
 * state of each action, the neighbours gallery). The table is read again
 * when a checkpoint appears or goes on disk, after every action, and on
 * Refresh; the actions themselves live in actions.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { BROWSER_ACTIONS, type BrowserAction, type CheckpointRow, type HostToPanel, type NeighbourGallery, type PanelJob, type PanelTable, type PanelToHost } from "../../protocol/checkpointBrowser";
import { openWebviewPanel } from "../webviewPanel";
import { checkpointTable, type BrowserTarget } from "./rows";

export const BROWSER_VIEW_TYPE = "ssl.checkpointBrowser";
export const BROWSER_TITLE = "Checkpoints";
/** Quiet time after checkpoint files change on disk (a run writes several at once). */
const FILE_DELAY_MS = 300;

export type ActionMessage = Exclude<PanelToHost, { type: "ready" | "refresh" | "select" }>;

export interface CheckpointPanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Whether this window's trainer is writing the run (fresher than its summary.json). */
  isLive(runDir: string): boolean;
  act(message: ActionMessage, row: CheckpointRow, panel: CheckpointPanel): void;
  onDispose(panel: CheckpointPanel): void;
}

export class CheckpointPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private target?: BrowserTarget;
  private table?: PanelTable;
  private readonly jobs = new Map<BrowserAction, PanelJob>();
  private gallery?: NeighbourGallery;
  private watcher?: vscode.FileSystemWatcher;
  private fileTimer?: ReturnType<typeof setTimeout>;
  private disposed = false;

  constructor(private readonly deps: CheckpointPanelDeps) {
    this.panel = openWebviewPanel({ extensionUri: deps.extensionUri, viewType: BROWSER_VIEW_TYPE, title: BROWSER_TITLE, bundle: "checkpointBrowser", beside: false });
    const webview = this.panel.webview;
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: PanelToHost) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The target's experiment file, if known. */
  get experimentFile(): string | undefined {
    return this.target?.experimentFile;
  }

  get rows(): readonly CheckpointRow[] {
    return this.table?.rows ?? [];
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  show(target: BrowserTarget): void {
    const sameScope = JSON.stringify(target.scope) === JSON.stringify(this.target?.scope);
    this.target = { ...target, selected: target.selected ?? (sameScope ? this.target?.selected : undefined) };
    this.panel.title = `${BROWSER_TITLE}: ${target.scope.kind === "run" ? path.basename(target.scope.runDir) : target.experimentName}`;
    if (!sameScope) this.watch();
    this.refresh();
    this.reveal();
  }

  /** Reads the table again from disk and shows it. */
  refresh(): void {
    const target = this.target;
    if (!target || this.disposed) return;
    try {
      const table = checkpointTable(target, (dir) => this.deps.isLive(dir));
      // The selection stays while its checkpoint exists; else the newest checkpoint of the newest run.
      const selected = table.rows.some((r) => r.dir === target.selected) ? target.selected : table.rows.filter((r) => r.runDir === table.rows[0]?.runDir).at(-1)?.dir;
      target.selected = selected;
      this.table = { ...table, selected };
    } catch (e) {
      this.deps.log.warn(`checkpoint browser: reading the runs failed: ${(e as Error).message}`);
      this.table = { type: "table", title: this.table?.title ?? BROWSER_TITLE, allRuns: target.scope.kind === "experiment", rows: [] };
    }
    this.post(this.table);
    if (this.gallery && !this.rows.some((r) => r.dir === this.gallery!.checkpoint)) this.gallery = undefined;
    this.postSnapshot();
  }

  /** An action's new state, shown under the table. */
  job(job: Omit<PanelJob, "type">): void {
    const full: PanelJob = { type: "job", ...job };
    this.jobs.set(job.action, full);
    this.post(full);
  }

  showGallery(gallery: NeighbourGallery): void {
    this.gallery = gallery;
    this.post({ type: "gallery", gallery });
  }

  private post(m: HostToPanel): void {
    if (!this.disposed) void this.panel.webview.postMessage(m);
  }

  /** MAE's reconstructions saved at the selected checkpoint, read here (a few KB) and shown as a data: URI. */
  private postSnapshot(): void {
    const row = this.rows.find((r) => r.dir === this.target?.selected);
    if (!row) return;
    let png: string | undefined;
    if (row.snapshot) {
      try {
        png = fs.readFileSync(path.join(row.runDir, row.snapshot)).toString("base64");
      } catch (e) {
        this.deps.log.warn(`checkpoint browser: ${row.snapshot} of ${row.runId}: ${(e as Error).message}`);
      }
    }
    this.post({ type: "snapshot", checkpoint: row.dir, label: `${row.runId} · ${row.label}`, png });
  }

  private watch(): void {
    this.watcher?.dispose();
    const scope = this.target!.scope;
    const base = scope.kind === "run" ? scope.runDir : scope.runsDir;
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), "**/meta.json"));
    const changed = () => {
      if (this.fileTimer) clearTimeout(this.fileTimer);
      this.fileTimer = setTimeout(() => this.refresh(), FILE_DELAY_MS);
    };
    this.watcher.onDidCreate(changed);
    this.watcher.onDidChange(changed);
    this.watcher.onDidDelete(changed);
  }

  private onMessage(m: PanelToHost): void {
    if (!m || typeof m !== "object") return;
    switch (m.type) {
      case "ready":
        if (this.table) this.post(this.table);
        for (const j of this.jobs.values()) this.post(j);
        if (this.gallery) this.post({ type: "gallery", gallery: this.gallery });
        this.postSnapshot();
        return;
      case "refresh":
        this.refresh();
        return;
      case "select":
        if (!this.target || !this.rows.some((r) => r.dir === m.checkpoint)) return;
        this.target.selected = m.checkpoint;
        if (this.table) this.table = { ...this.table, selected: m.checkpoint };
        this.postSnapshot();
        return;
      default: {
        if (!(BROWSER_ACTIONS as readonly string[]).includes(m.type)) return;
        const row = this.rows.find((r) => r.dir === m.checkpoint);
        if (!row) {
          this.post({ type: "job", action: m.type, checkpoint: String(m.checkpoint), state: "failed", message: "That checkpoint is no longer on disk; the table was read again." });
          this.refresh();
          return;
        }
        this.deps.act(m, row, this);
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.fileTimer) clearTimeout(this.fileTimer);
    this.watcher?.dispose();
    for (const d of this.subscriptions) d.dispose();
    this.panel.dispose();
    this.deps.onDispose(this);
  }
}
