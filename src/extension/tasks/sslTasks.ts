/**
 * The "ssl" task provider: a pretrain and a cache-build task for every
 * experiment file of the workspace, and any "ssl" task written in tasks.json
 * (pretrain, cache-build, eval), all run by the ssl-studio CLI as a process
 * with the "$ssl" problem matcher, so a broken config shows in Problems.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { EXPERIMENT_EXCLUDE, EXPERIMENT_GLOB } from "../experiments";
import type { Services } from "../services";
import { SSL_TASK_TYPE, cliArgs, definitionProblem, taskName, type SslTaskDefinition } from "./taskDefinition";

const PROBLEM_MATCHER = "$ssl";

function makeTask(s: Services, d: SslTaskDefinition, scope: vscode.WorkspaceFolder | vscode.TaskScope): vscode.Task {
  const cwd = typeof scope === "object" ? scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const node = vscode.workspace.getConfiguration("ssl").get<string>("nodePath") || process.execPath;
  const cli = path.join(s.context.extensionPath, "dist", "cli.js");
  // ELECTRON_RUN_AS_NODE: the extension host's process.execPath may be VS Code's Electron binary (see nodeProcess.ts).
  const execution = new vscode.ProcessExecution(node, [cli, ...cliArgs(d)], { cwd, env: { ELECTRON_RUN_AS_NODE: "1" } });
  const task = new vscode.Task(d, scope, taskName(d), SSL_TASK_TYPE, execution, [PROBLEM_MATCHER]);
  if (d.command === "pretrain") task.group = vscode.TaskGroup.Build;
  return task;
}

export function registerSslTasks(s: Services): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(SSL_TASK_TYPE, {
    async provideTasks() {
      const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXPERIMENT_EXCLUDE);
      return files.flatMap((uri) => {
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        const file = folder ? path.relative(folder.uri.fsPath, uri.fsPath) : uri.fsPath;
        return (["pretrain", "cache-build"] as const).map((command) => makeTask(s, { type: SSL_TASK_TYPE, command, file }, folder ?? vscode.TaskScope.Workspace));
      });
    },
    resolveTask(task) {
      const d = task.definition as Record<string, unknown>;
      const problem = definitionProblem(d);
      if (problem) {
        s.log.warn(`tasks.json: an "ssl" task: ${problem}`);
        return undefined;
      }
      return makeTask(s, d as unknown as SslTaskDefinition, task.scope ?? vscode.TaskScope.Workspace);
    },
  });
}
