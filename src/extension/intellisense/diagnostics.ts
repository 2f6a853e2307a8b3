/**
 * The "ssl-studio" diagnostics of open experiment files: the findings of
 * analysis.ts, recomputed when a file opens, shortly after each edit, and
 * when files appear or vanish (a dataset folder created, a cache built).
 */
import * as vscode from "vscode";
import { isExperimentFile } from "../experiments";
import type { AdviceEnvironment } from "./adviceEnv";
import { analyseExperiment, type Finding } from "./analysis";

export const DIAGNOSTIC_SOURCE = "ssl-studio";

const SEVERITY: Record<Finding["severity"], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function isExperimentDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === "file" && isExperimentFile(doc.uri.fsPath);
}

export function toDiagnostic(doc: vscode.TextDocument, f: Finding): vscode.Diagnostic {
  const range = new vscode.Range(doc.positionAt(f.offset), doc.positionAt(f.offset + f.length));
  const d = new vscode.Diagnostic(range, f.message, SEVERITY[f.severity]);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = f.code;
  return d;
}

export class ExperimentDiagnostics implements vscode.Disposable {
  // Not named "ssl-studio": that is the owner of the $ssl problem matcher's markers, which this collection's updates would wipe.
  private readonly collection = vscode.languages.createDiagnosticCollection(`${DIAGNOSTIC_SOURCE}-advice`);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly subscriptions: vscode.Disposable[];

  /** `delayMs`: how long typing must pause before a file is analysed again. */
  constructor(
    private readonly env: AdviceEnvironment,
    /** Told when the analysis of a file throws: a bug in a rule must not get in the way of editing. */
    private readonly onError: (file: string, error: unknown) => void = () => undefined,
    private readonly delayMs = 300,
  ) {
    this.subscriptions = [
      this.collection,
      vscode.workspace.onDidOpenTextDocument((doc) => this.update(doc)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc)),
    ];
    for (const doc of vscode.workspace.textDocuments) this.update(doc);
  }

  update(doc: vscode.TextDocument): void {
    if (!isExperimentDocument(doc)) return;
    this.cancel(doc);
    try {
      const findings = analyseExperiment(doc.getText(), doc.uri.fsPath, this.env.for(doc.uri.fsPath));
      this.collection.set(doc.uri, findings.map((f) => toDiagnostic(doc, f)));
    } catch (error) {
      this.collection.delete(doc.uri);
      this.onError(doc.uri.fsPath, error);
    }
  }

  /** Every open experiment file again, e.g. after files were created or deleted. */
  refreshAll(): void {
    this.env.invalidate();
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc);
  }

  private schedule(doc: vscode.TextDocument): void {
    if (!isExperimentDocument(doc)) return;
    this.cancel(doc);
    this.timers.set(doc.uri.toString(), setTimeout(() => this.update(doc), this.delayMs));
  }

  private cancel(doc: vscode.TextDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  private forget(doc: vscode.TextDocument): void {
    this.cancel(doc);
    this.collection.delete(doc.uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}
