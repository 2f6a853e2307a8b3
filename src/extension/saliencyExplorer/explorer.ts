/**
 * The Saliency Explorer of this activation: its one panel, the worker the
 * panel and cache builds share, and the builds themselves, each with a
 * cancellable progress notification. The worker is stopped when the panel
 * closes and no build runs (or by its client after a minute without work).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { BuildProgressInfo, PanelBuild } from "../../protocol/saliencyExplorer";
import { describeExperiment } from "../experiments";
import { pickExperimentFile } from "../commands/pickers";
import { ExplorerPanel, type ExplorerTarget } from "./panel";
import { buildPercent, buildProgressText, buildResultText, issueText } from "./targets";
import { ExplorerWorkerClient, nextRequestId, type BuildJob, type BuildReply } from "./workerClient";

export class SaliencyExplorer implements vscode.Disposable {
  private panel?: ExplorerPanel;
  private client?: ExplorerWorkerClient;
  private readonly builds = new Map<string, { job: BuildJob; progress?: BuildProgressInfo; done: Promise<BuildReply> }>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Opens the panel (or brings it forward) on an image and/or experiment. */
  open(target: ExplorerTarget): ExplorerPanel {
    if (!this.panel) {
      this.panel = new ExplorerPanel({
        extensionUri: this.context.extensionUri,
        log: this.log,
        worker: () => this.worker(),
        build: (file) => void this.build(file),
        cancelBuild: (file) => this.builds.get(file)?.job.cancel(),
        buildState: (file) => this.buildState(file),
        pickExperiment: () => pickExperimentFile("SSL: Saliency Explorer"),
        onDispose: (p) => this.closed(p),
      });
    }
    this.panel.show(target);
    return this.panel;
  }

  get current(): ExplorerPanel | undefined {
    return this.panel;
  }

  /** The running worker's pid, if any (tests). */
  get workerPid(): number | undefined {
    return this.client?.pid;
  }

  private worker(): ExplorerWorkerClient | { missing: string } {
    if (this.client) return this.client;
    const script = this.context.asAbsolutePath(path.join("dist", "saliencyExplorer.js"));
    if (!fs.existsSync(script)) return { missing: `The Saliency Explorer worker is missing (${script}); run "npm run build".` };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    this.client = new ExplorerWorkerClient({
      script,
      cwd: folder && fs.existsSync(folder) ? folder : path.dirname(script),
      nodePath: vscode.workspace.getConfiguration("ssl").get<string>("nodePath") || undefined,
      log: (line) => this.log.info(line),
    });
    return this.client;
  }

  private buildState(file: string): PanelBuild {
    const b = this.builds.get(file);
    return b ? { type: "build", state: "running", progress: b.progress } : { type: "build", state: "idle" };
  }

  /**
   * Builds the experiment's SaliencyCut cache in the worker, with a
   * cancellable notification (percentage and ETA) and the panel's progress
   * bar; a build of the same cache already running is joined, not repeated.
   */
  build(file: string): Promise<BuildReply | undefined> {
    const running = this.builds.get(file);
    if (running) {
      void vscode.window.showInformationMessage(`SSL: the SaliencyCut cache of ${describeExperiment(file).name} is being built already.`);
      return running.done;
    }
    const worker = this.worker();
    if ("missing" in worker) {
      void vscode.window.showErrorMessage(`SSL: ${worker.missing}`);
      return Promise.resolve(undefined);
    }
    const name = describeExperiment(file).name;
    const started = Date.now();
    let reported = 0;
    let report: ((p: BuildProgressInfo) => void) | undefined;
    const job = worker.build({ id: nextRequestId(), experimentFile: file }, (p) => {
      const entry = this.builds.get(file);
      if (entry) entry.progress = p;
      report?.(p);
      this.panel?.onBuild(file, { type: "build", state: "running", progress: p });
    });
    const entry = { job, done: job.done };
    this.builds.set(file, entry);
    this.log.info(`saliency cache of ${file}: build started`);
    this.panel?.onBuild(file, { type: "build", state: "running" });

    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SaliencyCut cache of ${name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => job.cancel());
        progress.report({ message: "starting…" });
        report = (p) => {
          const pct = buildPercent(p);
          progress.report({ message: buildProgressText(p), increment: Math.max(0, pct - reported) });
          reported = Math.max(reported, pct);
        };
        await job.done;
      },
    );

    void job.done.then((reply) => {
      this.builds.delete(file);
      this.log.info(`saliency cache of ${file}: ${reply.type === "built" ? JSON.stringify({ ...reply.summary, failed: undefined }) : reply.type} after ${Date.now() - started} ms`);
      if (reply.type === "built") {
        const s = reply.summary;
        this.panel?.onBuild(file, { type: "build", state: "done", summary: s });
        for (const f of s.failed) this.log.warn(`saliency cache of ${name}: image #${f.index}${f.file ? ` (${f.file})` : ""} failed: ${f.reason}`);
        const text = buildResultText(name, s);
        if (s.failedCount) void this.showWithLog("warn", `${text} The log lists the failures.`);
        else void vscode.window.showInformationMessage(text);
      } else if (reply.type === "invalid") {
        const first = reply.issues[0]!;
        this.panel?.onBuild(file, { type: "build", state: "failed", error: issueText(first) });
        void vscode.window.showErrorMessage(`SSL: ${issueText(first)}`, "Open").then((pick) => {
          if (pick) void vscode.window.showTextDocument(vscode.Uri.file(first.file), { selection: new vscode.Range(new vscode.Position(first.line - 1, 0), new vscode.Position(first.line - 1, 0)) });
        });
      } else {
        this.panel?.onBuild(file, { type: "build", state: "failed", error: reply.error });
        void this.showWithLog("error", `SSL: building the SaliencyCut cache of ${name} failed: ${reply.error}`);
      }
      this.stopIfUnused();
    });
    return job.done;
  }

  private async showWithLog(kind: "warn" | "error", text: string): Promise<void> {
    const show = kind === "warn" ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    if (await show(text, "Show Log")) this.log.show(true);
  }

  private stopIfUnused(): void {
    if (!this.panel && this.builds.size === 0) {
      this.client?.dispose();
      this.client = undefined;
    }
  }

  private closed(panel: ExplorerPanel): void {
    if (this.panel === panel) this.panel = undefined;
    this.stopIfUnused();
  }

  dispose(): void {
    this.panel?.dispose();
    for (const b of this.builds.values()) b.job.cancel();
    this.client?.dispose();
    this.client = undefined;
  }
}
