/** "SSL: Open Run Folder": in the OS file manager where that means this machine, else in the explorer. */
import * as fs from "node:fs";
import * as vscode from "vscode";
import { revealStrategy } from "../reveal";
import { asNode, type Services } from "../services";
import { pickRun } from "./pickers";

export async function openRunFolder(s: Services, arg?: unknown): Promise<void> {
  const node = asNode(arg);
  let dir: string | undefined;
  if (typeof arg === "string") dir = arg;
  else if (node?.kind === "run") dir = node.run.dir;
  else if (node?.kind === "checkpoint") dir = node.checkpoint.dir;
  else dir = (await pickRun("SSL: Open Run Folder", s.registry))?.run.dir;
  if (!dir) return;
  if (!fs.existsSync(dir)) {
    void vscode.window.showWarningMessage(`SSL: ${dir} does not exist (yet).`);
    return;
  }
  const uri = vscode.Uri.file(dir);
  const strategy = revealStrategy({
    remoteName: vscode.env.remoteName,
    isWebUi: vscode.env.uiKind === vscode.UIKind.Web,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    target: dir,
  });
  if (strategy === "os") {
    try {
      await vscode.commands.executeCommand("revealFileInOS", uri);
      return;
    } catch (e) {
      s.log.warn(`revealFileInOS failed (${(e as Error).message}); showing the folder in the explorer`);
    }
  }
  if (strategy !== "newWindow") {
    try {
      await vscode.commands.executeCommand("revealInExplorer", uri);
      return;
    } catch {
      // Outside every workspace folder: fall through.
    }
  }
  await vscode.commands.executeCommand("vscode.openFolder", uri, { forceNewWindow: true });
}
