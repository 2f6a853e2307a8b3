/**
 * One "Augmentations" panel: the webview beside an experiment file, the
 * panel's settings (seed, count, epoch) and draft, and the render loop. It
 * follows the document's text, saved or not (debounced), shows the config's
 * problems instead of stale images, and passes only its latest request's
 * answer to the webview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { ViewSpec } from "../../core/config/augmentSchema";
import { parseExperiment, type ConfigIssue } from "../../core/config/load";
import { policyViews } from "../../core/augment/views";
import type { HostToPanel, PanelToHost, PreviewIssue, PreviewResult } from "../../protocol/augmentPreview";
import { applyDraftToDocument } from "./applyDraft";
import { draftDiffers, editDraft, startDraft, type Draft } from "./draft";
import { openWebviewPanel } from "../webviewPanel";
import type { PreviewWorkerClient } from "./workerClient";

export const PANEL_VIEW_TYPE = "ssl.augmentPreview";
/** Quiet time after a keystroke in the experiment file before re-rendering. */
const TYPING_DELAY_MS = 250;
/** Coalesces a slider's burst of input events. */
const CONTROL_DELAY_MS = 30;
export const DEFAULT_COUNT = 8;
export const MAX_COUNT = 64;

/** Request ids are unique across panels: they share one worker. */
let lastRequestId = 0;

export interface PreviewPanelDeps {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The shared worker, started on demand; undefined when dist/previewWorker.js is missing (the reason is given). */
  worker(): PreviewWorkerClient | { missing: string };
  onDispose(panel: PreviewPanel): void;
}

const toIssue = (i: ConfigIssue): PreviewIssue => ({ field: i.field, line: i.line, message: i.message });
const isAugmentField = (field: string) => field === "augment" || field.startsWith("augment.");

export class PreviewPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private draft?: Draft;
  /** The file's resolved views, from its last valid config: what a draft starts as. */
  private fileViews?: ViewSpec[];
  private seedOverride?: number;
  private configSeed = 0;
  private epochs = 1;
  private count = DEFAULT_COUNT;
  private epoch = 0;
  private timer?: ReturnType<typeof setTimeout>;
  private latestId = 0;
  private lastSettings = "";
  /** What the grid shows now, re-sent when the webview reloads. */
  private shown?: HostToPanel;
  private rendering = false;
  private disposed = false;

  constructor(
    readonly file: string,
    private readonly deps: PreviewPanelDeps,
  ) {
    this.panel = openWebviewPanel({
      extensionUri: deps.extensionUri,
      viewType: PANEL_VIEW_TYPE,
      title: `Augmentations: ${path.basename(file)}`,
      pageTitle: `Augmentations of ${path.basename(file)}`,
      bundle: "augmentPreview",
      beside: true,
    });
    const webview = this.panel.webview;
    this.subscriptions.push(
      webview.onDidReceiveMessage((m: PanelToHost) => this.onMessage(m)),
      this.panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === "file" && samePath(e.document.uri.fsPath, file) && e.contentChanges.length) this.schedule(TYPING_DELAY_MS);
      }),
    );
    // Changes on disk while the file is not open in an editor (a `git checkout`, another tool).
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    watcher.onDidChange(() => !this.openDocument() && this.schedule(TYPING_DELAY_MS));
    this.subscriptions.push(watcher);
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private openDocument(): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.scheme === "file" && samePath(d.uri.fsPath, this.file));
  }

  /** The file's text as the editor has it (unsaved edits included), else as saved. */
  private text(): string | undefined {
    const doc = this.openDocument();
    if (doc) return doc.getText();
    try {
      return fs.readFileSync(this.file, "utf8");
    } catch {
      return undefined;
    }
  }

  private get seed(): number {
    return this.seedOverride ?? this.configSeed;
  }

  private post(m: HostToPanel): void {
    if (this.disposed) return;
    if (m.type === "rendered" || m.type === "invalid" || m.type === "failed") this.shown = m;
    void this.panel.webview.postMessage(m);
  }

  private postSettings(force = false): void {
    const settings: HostToPanel = {
      type: "settings",
      file: this.file,
      seed: this.seed,
      count: this.count,
      epoch: this.epoch,
      epochs: this.epochs,
      draft: !!this.draft,
    };
    const key = JSON.stringify(settings);
    if (!force && key === this.lastSettings) return;
    this.lastSettings = key;
    this.post(settings);
  }

  private onMessage(m: PanelToHost): void {
    if (!m || typeof m !== "object") return;
    switch (m.type) {
      case "ready":
        this.postSettings(true);
        if (this.shown) this.post(this.shown);
        if (this.rendering) this.post({ type: "rendering", id: this.latestId });
        else if (!this.shown) this.schedule(0);
        return;
      case "setSeed":
        if (!Number.isInteger(m.seed) || m.seed < 0) return;
        this.seedOverride = m.seed === this.configSeed ? undefined : m.seed;
        break;
      case "resample":
        this.seedOverride = this.seed + 1;
        break;
      case "setCount":
        if (!Number.isInteger(m.count)) return;
        this.count = Math.min(MAX_COUNT, Math.max(1, m.count));
        break;
      case "setEpoch":
        if (!Number.isInteger(m.epoch)) return;
        this.epoch = Math.min(this.epochs - 1, Math.max(0, m.epoch));
        break;
      case "editOp": {
        const base = this.draft ?? (this.fileViews ? startDraft(this.fileViews) : undefined);
        if (!base) return;
        const r = editDraft(base, { view: m.view, op: m.op, field: m.field, value: m.value });
        if (!r.ok) {
          this.deps.log.warn(`preview ${path.basename(this.file)}: edit refused: ${r.reason}`);
          this.postSettings(true);
          return;
        }
        // Back where the file is: no draft left to apply.
        this.draft = this.fileViews && !draftDiffers(r.draft, this.fileViews) ? undefined : r.draft;
        this.postSettings();
        this.schedule(CONTROL_DELAY_MS);
        return;
      }
      case "writeBack":
        void this.writeBack();
        return;
      case "discardDraft":
        this.draft = undefined;
        break;
      default:
        return;
    }
    this.postSettings();
    this.schedule(0);
  }

  private async writeBack(): Promise<void> {
    if (!this.draft) return;
    const views = this.draft.views;
    try {
      const written = await applyDraftToDocument(this.file, views);
      this.deps.log.info(`preview ${path.basename(this.file)}: wrote the draft into augment.views (${written.kind})`);
      if (this.draft?.views === views) this.draft = undefined;
      this.postSettings();
      this.schedule(0);
    } catch (e) {
      void vscode.window.showErrorMessage(`SSL: could not write the draft into ${path.basename(this.file)}: ${(e as Error).message}`);
    }
  }

  schedule(ms: number): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, ms);
  }

  private render(): void {
    const text = this.text();
    if (text === undefined) {
      this.post({ type: "failed", error: `cannot read ${this.file}` });
      return;
    }
    const { config, issues } = parseExperiment(text, this.file);
    if (config) {
      this.configSeed = config.seed;
      this.epochs = Math.max(1, config.train.epochs);
      this.epoch = Math.min(this.epoch, this.epochs - 1);
      this.fileViews = policyViews(config.augment, config.method);
      if (this.draft && !draftDiffers(this.draft, this.fileViews)) this.draft = undefined;
    }
    this.postSettings();
    // Without a draft, the file's problems are the answer; a draft replaces the policy, so only the rest of the file must be valid (the worker checks the draft).
    const blocking = this.draft ? issues.filter((i) => !isAugmentField(i.field)) : issues;
    if (blocking.length || (!config && !this.draft)) {
      this.latestId = ++lastRequestId;
      this.rendering = false;
      this.post({ type: "invalid", issues: blocking.map(toIssue) });
      return;
    }
    const worker = this.deps.worker();
    if ("missing" in worker) {
      this.post({ type: "failed", error: worker.missing });
      return;
    }
    const id = (this.latestId = ++lastRequestId);
    this.rendering = true;
    this.post({ type: "rendering", id });
    const started = Date.now();
    void worker
      .render(this.file, {
        id,
        experimentFile: this.file,
        configText: text,
        ...(this.draft ? { views: this.draft.views } : {}),
        seed: this.seed,
        count: this.count,
        epoch: this.epoch,
      })
      .then((reply) => {
        if (reply.type === "superseded" || id !== this.latestId || this.disposed) return;
        this.rendering = false;
        if (reply.type === "rendered") {
          this.deps.log.debug(`preview ${path.basename(this.file)}: ${describe(reply.result)}, ${Date.now() - started} ms end to end`);
          this.post({ type: "rendered", result: reply.result });
        } else if (reply.type === "invalid") this.post({ type: "invalid", issues: reply.issues });
        else {
          this.deps.log.warn(`preview ${path.basename(this.file)}: ${reply.error}`);
          this.post({ type: "failed", error: reply.error });
        }
      });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.subscriptions) d.dispose();
    this.panel.dispose();
    this.deps.onDispose(this);
  }
}

function describe(r: PreviewResult): string {
  const views = r.images[0]?.views.length ?? 0;
  return `${r.images.length} images × ${views} views rendered in ${r.milliseconds} ms (${r.backend})`;
}

function samePath(a: string, b: string): boolean {
  return process.platform === "win32" || process.platform === "darwin" ? a.toLowerCase() === b.toLowerCase() : a === b;
}
