/** "SSL: Stop Run": the run of the clicked item, the only run, or a pick among those going. */
import * as path from "node:path";
import * as vscode from "vscode";
import type { ActiveRun } from "../runRegistry";
import { asNode, type Services } from "../services";

export async function stopRun(s: Services, arg?: unknown): Promise<void> {
  const node = asNode(arg);
  let run: ActiveRun | undefined;
  if (node?.kind === "run") run = s.registry.byRunDir(node.run.dir) ?? s.registry.get(node.experimentFile);
  else if (node?.kind === "experiment") run = s.registry.get(node.info.file);
  else if (arg instanceof vscode.Uri && arg.scheme === "file") run = s.registry.get(arg.fsPath);

  if (!run && node?.kind === "run" && node.run.state === "running") {
    await stopForeignRun(s, node.run.id, node.run.summary?.pid);
    return;
  }
  if (!run) {
    const runs = s.registry.list();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage("SSL: no run is going in this window.");
      return;
    }
    if (runs.length === 1) run = runs[0];
    else {
      const pick = await vscode.window.showQuickPick(
        runs.map((r) => ({ label: r.experimentName, description: r.runId ?? "starting", detail: vscode.workspace.asRelativePath(path.dirname(r.experimentFile)), run: r })),
        { title: "SSL: Stop Run", placeHolder: "Run to stop" },
      );
      run = pick?.run;
    }
  }
  if (run) await s.controller.stop(run);
}

/**
 * A run this window did not start (the CLI, another window, a window since
 * reloaded) has no IPC channel to us; SIGTERM is the only way to reach it.
 */
async function stopForeignRun(s: Services, id: string, pid: number | undefined): Promise<void> {
  if (typeof pid !== "number") {
    void vscode.window.showWarningMessage(`SSL: run ${id} was not started from this window and its summary has no process id; stop it where it was started.`);
    return;
  }
  const choice = await vscode.window.showWarningMessage(
    `SSL: run ${id} was not started from this window (process ${pid}). Send it SIGTERM? It resumes from its last checkpoint.`,
    { modal: true },
    "Send SIGTERM",
  );
  if (choice !== "Send SIGTERM") return;
  try {
    process.kill(pid, "SIGTERM");
    s.log.info(`sent SIGTERM to process ${pid} (run ${id})`);
  } catch (e) {
    void vscode.window.showErrorMessage(`SSL: could not signal process ${pid}: ${(e as Error).message}`);
  }
  s.tree.refresh();
}
