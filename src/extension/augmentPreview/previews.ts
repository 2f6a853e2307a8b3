/**
 * The open preview panels, one per experiment file, and the one worker they
 * share: started with the first render, stopped when the last panel closes
 * (or by the worker client itself after a minute without work).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { PreviewPanel } from "./panel";
import { PreviewWorkerClient } from "./workerClient";

export class AugmentPreviews implements vscode.Disposable {
  private readonly panels = new Map<string, PreviewPanel>();
  private client?: PreviewWorkerClient;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Opens the file's panel beside the editor, or brings its open panel forward. */
  open(file: string): PreviewPanel {
    const existing = this.panels.get(file);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const panel = new PreviewPanel(file, {
      extensionUri: this.context.extensionUri,
      log: this.log,
      worker: () => this.worker(file),
      onDispose: (p) => this.closed(p),
    });
    this.panels.set(file, panel);
    return panel;
  }

  get(file: string): PreviewPanel | undefined {
    return this.panels.get(file);
  }

  /** The running worker's pid, if any (tests). */
  get workerPid(): number | undefined {
    return this.client?.pid;
  }

  private worker(file: string): PreviewWorkerClient | { missing: string } {
    if (this.client) return this.client;
    const script = this.context.asAbsolutePath(path.join("dist", "previewWorker.js"));
    if (!fs.existsSync(script)) return { missing: `The preview worker is missing (${script}); run "npm run build".` };
    this.client = new PreviewWorkerClient({
      script,
      cwd: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file),
      nodePath: vscode.workspace.getConfiguration("ssl").get<string>("nodePath") || undefined,
      log: (line) => this.log.info(line),
    });
    return this.client;
  }

  private closed(panel: PreviewPanel): void {
    if (this.panels.get(panel.file) === panel) this.panels.delete(panel.file);
    this.client?.forget(panel.file);
    if (this.panels.size === 0) {
      this.client?.dispose();
      this.client = undefined;
    }
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.client?.dispose();
    this.client = undefined;
  }
}
