/** Quick picks shared by the commands: which experiment, which run. */
import * as path from "node:path";
import * as vscode from "vscode";
import { chooseExperimentFile, describeExperiment, EXPERIMENT_EXCLUDE, EXPERIMENT_GLOB } from "../experiments";
import { listRuns, type RunInfo } from "../runFolder";
import { presentRun } from "../format";
import type { RunRegistry } from "../runRegistry";
import { isExperimentFile } from "../experiments";
import { asNode } from "../services";

export async function workspaceExperimentFiles(): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXPERIMENT_EXCLUDE);
  return uris.filter((u) => u.scheme === "file").map((u) => u.fsPath);
}

/** The active *.ssl.json, the only one, or the user's pick; undefined when there is none or the pick was dismissed. */
export async function pickExperimentFile(title: string): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  const activeFile = active?.uri.scheme === "file" ? active.uri.fsPath : undefined;
  const choice = chooseExperimentFile(activeFile, await workspaceExperimentFiles());
  if (choice.kind === "use") return choice.file;
  if (choice.kind === "none") {
    const pick = await vscode.window.showInformationMessage("SSL: there is no *.ssl.json experiment in this workspace.", "New Experiment");
    if (pick) await vscode.commands.executeCommand("ssl.newExperiment");
    return undefined;
  }
  const item = await vscode.window.showQuickPick(
    choice.files.map((f) => ({ label: path.basename(f), description: vscode.workspace.asRelativePath(path.dirname(f)), file: f })),
    { title, placeHolder: "Experiment file" },
  );
  return item?.file;
}

export interface RunChoice {
  experimentFile: string;
  experimentName: string;
  run: RunInfo;
}

/** Every run of every experiment in the workspace, newest first. */
export async function allRuns(filter: (r: RunInfo) => boolean = () => true): Promise<RunChoice[]> {
  const out: RunChoice[] = [];
  for (const file of await workspaceExperimentFiles()) {
    const info = describeExperiment(file);
    for (const run of listRuns(info.runsDir)) if (filter(run)) out.push({ experimentFile: info.file, experimentName: info.name, run });
  }
  return out.sort((a, b) => (a.run.sortKey < b.run.sortKey ? 1 : a.run.sortKey > b.run.sortKey ? -1 : 0));
}

export async function pickRun(title: string, registry: RunRegistry, filter?: (r: RunInfo) => boolean): Promise<RunChoice | undefined> {
  const runs = await allRuns(filter);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage("SSL: no matching runs in this workspace.");
    return undefined;
  }
  const item = await vscode.window.showQuickPick(
    runs.map((c) => {
      const live = registry.byRunDir(c.run.dir);
      return { label: c.run.id, description: `${c.experimentName} · ${presentRun(c.run, live, live ? undefined : registry.failureOf(c.run.dir)).description}`, choice: c };
    }),
    { title, placeHolder: "Run", matchOnDescription: true },
  );
  return item?.choice;
}

/** The experiment a command is about: its tree node or file Uri argument, else the active file or a pick. */
export async function experimentFileFor(arg: unknown, title: string): Promise<string | undefined> {
  const node = asNode(arg);
  if (node?.kind === "experiment") return node.info.file;
  if (arg instanceof vscode.Uri && arg.scheme === "file" && isExperimentFile(arg.fsPath)) return arg.fsPath;
  return pickExperimentFile(title);
}
