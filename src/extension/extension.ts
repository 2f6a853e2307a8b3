/**
 * SSL Studio's extension entry. Everything heavy (TensorFlow.js, datasets)
 * lives in the trainer child process: nothing imported here may load it, so
 * activation stays fast and a training crash cannot take the editor down.
 */
import * as vscode from "vscode";
import { RunRegistry } from "./runRegistry";
import { RunController } from "./runController";
import { RunsTreeProvider } from "./runsTree";
import { createRunStatusBar } from "./statusBar";
import { registerCommands } from "./commands/register";
import { registerSslTasks } from "./tasks/sslTasks";
import { registerIntelliSense } from "./intellisense/register";
import { debounce, throttleByKey } from "./rateLimit";
import type { Services } from "./services";

let controller: RunController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("SSL Studio", { log: true });
  const registry = new RunRegistry();
  controller = new RunController(context, log, registry);
  const tree = new RunsTreeProvider(registry);
  const treeView = vscode.window.createTreeView("ssl.experiments", { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  const services: Services = { context, log, registry, controller, tree, treeView };

  const refresh = debounce(() => tree.refresh(), 300);
  const refreshRun = throttleByKey((runDir) => tree.refreshRun(runDir), 750);
  const watchers = ["**/*.ssl.json", "**/summary.json", "**/meta.json"].map((glob) => {
    const w = vscode.workspace.createFileSystemWatcher(glob);
    w.onDidCreate(refresh);
    w.onDidChange(refresh);
    w.onDidDelete(refresh);
    return w;
  });

  const registrySub = registry.onChange((c) => {
    if (c.kind === "metric") return;
    if (c.kind === "progress") {
      if (c.run.runDir) refreshRun(c.run.runDir);
      return;
    }
    refresh();
    // Lets editor/title show Stop instead of Pretrain on an experiment that is running.
    void vscode.commands.executeCommand("setContext", "ssl.runningExperiments", registry.list().map((r) => r.experimentFile));
  });

  context.subscriptions.push(
    log,
    tree,
    treeView,
    createRunStatusBar(registry),
    ...watchers,
    registrySub,
    { dispose: () => (refresh.cancel(), refreshRun.cancel()) },
    ...registerCommands(services),
    registerSslTasks(services),
    ...registerIntelliSense(services),
  );
}

export function deactivate(): void {
  // Each trainer checkpoints and exits on its own; the window closing must not cost the run.
  controller?.stopAll();
}
