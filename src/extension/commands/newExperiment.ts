/** "SSL: New Experiment": a commented starter file, never over an existing one. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { experimentFileName, experimentTemplate, validateExperimentName } from "../templates/experiment";
import type { Services } from "../services";

async function targetFolder(): Promise<string | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file");
  if (folders.length === 0) {
    void vscode.window.showErrorMessage("SSL: open a folder first; the experiment file is written into it.");
    return undefined;
  }
  if (folders.length === 1) return folders[0]!.uri.fsPath;
  const pick = await vscode.window.showWorkspaceFolderPick({ placeHolder: "Folder for the new experiment" });
  return pick?.uri.fsPath;
}

export async function newExperiment(s: Services): Promise<void> {
  const folder = await targetFolder();
  if (!folder) return;
  const name = await vscode.window.showInputBox({
    title: "SSL: New Experiment",
    prompt: `Experiment name; the file is <name>.ssl.json in ${folder}`,
    value: "simclr-fashion-mnist",
    validateInput: (v) => {
      const problem = validateExperimentName(v);
      if (problem) return problem;
      return fs.existsSync(path.join(folder, experimentFileName(v))) ? `${experimentFileName(v)} already exists` : undefined;
    },
  });
  if (name === undefined) return;
  const file = path.join(folder, experimentFileName(name));
  try {
    // "wx": fail rather than overwrite, even if the file appeared after the check above.
    fs.writeFileSync(file, experimentTemplate(name), { flag: "wx" });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    void vscode.window.showErrorMessage(err.code === "EEXIST" ? `SSL: ${file} already exists; it was left as it is.` : `SSL: cannot write ${file}: ${err.message}`);
    return;
  }
  s.log.info(`created ${file}`);
  await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  s.tree.refresh();
}
