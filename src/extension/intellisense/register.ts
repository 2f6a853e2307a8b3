/**
 * IntelliSense in experiment files beyond the JSON Schema: completion of
 * paths, checkpoints and presets, hover with the papers' values, and the
 * "ssl-studio" diagnostics with their quick fixes.
 */
import * as vscode from "vscode";
import { debounce } from "../rateLimit";
import type { Services } from "../services";
import { AdviceEnvironment } from "./adviceEnv";
import { AdviceQuickFixes } from "./codeActions";
import { ExperimentCompletions } from "./completion";
import { ExperimentDiagnostics } from "./diagnostics";
import { ExperimentHover } from "./hover";

export const EXPERIMENT_SELECTOR: vscode.DocumentSelector = { language: "jsonc", pattern: "**/*.ssl.json" };

export function registerIntelliSense(s: Services): vscode.Disposable[] {
  const env = new AdviceEnvironment(s.context.extensionPath);
  const diagnostics = new ExperimentDiagnostics(env, (file, e) => s.log.warn(`advice on ${file} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  // A dataset folder created, a checkpoint written, a cache built: what the advice said may have changed.
  const refresh = debounce(() => diagnostics.refreshAll(), 500);
  const files = vscode.workspace.createFileSystemWatcher("**/*", false, true, false);
  const manifests = vscode.workspace.createFileSystemWatcher("**/manifest.jsonl");
  for (const w of [files, manifests]) {
    w.onDidCreate(refresh);
    w.onDidDelete(refresh);
  }
  manifests.onDidChange(refresh);
  return [
    vscode.languages.registerCompletionItemProvider(EXPERIMENT_SELECTOR, new ExperimentCompletions(), ...ExperimentCompletions.triggerCharacters),
    vscode.languages.registerHoverProvider(EXPERIMENT_SELECTOR, new ExperimentHover()),
    vscode.languages.registerCodeActionsProvider(EXPERIMENT_SELECTOR, new AdviceQuickFixes(env), AdviceQuickFixes.metadata),
    diagnostics,
    files,
    manifests,
    { dispose: () => refresh.cancel() },
  ];
}
