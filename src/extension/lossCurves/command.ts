/**
 * "SSL: Show Loss Curves" and "SSL: Compare Runs". Show Loss Curves on a run
 * adds it to the panel; on an experiment (or with an experiment file in the
 * editor) it shows that experiment's runs; with nothing in hand it opens the
 * panel (the newest run when it is new).
 * Compare Runs shows exactly the runs selected in the tree.
 */
import * as vscode from "vscode";
import type { RunAction } from "../../protocol/lossCurves";
import { allRuns, type RunChoice } from "../commands/pickers";
import { asNode, type Services } from "../services";
import { describeExperiment, isExperimentFile } from "../experiments";
import { listRuns } from "../runFolder";
import { CurveStore } from "./curveStore";
import { CurvesPanel } from "./panel";

const panels = new WeakMap<Services, CurvesPanel>();

async function act(s: Services, action: RunAction, run: RunChoice): Promise<void> {
  if (action === "openFolder") return void (await vscode.commands.executeCommand("ssl.openRunFolder", run.run.dir));
  const node = await s.tree.findRunNode(run.run.dir);
  if (action === "checkpoints") return void (await vscode.commands.executeCommand("ssl.browseCheckpoints", node ?? run.run.dir));
  if (node) await s.treeView.reveal(node, { select: true, focus: false });
}

function curvesPanel(s: Services): CurvesPanel {
  let panel = panels.get(s);
  if (!panel) {
    const store = new CurveStore(s.registry);
    panel = new CurvesPanel({
      extensionUri: s.context.extensionUri,
      log: s.log,
      registry: s.registry,
      store,
      listRuns: () => allRuns(),
      act: (action, run) => act(s, action, run),
      onDispose: () => {
        store.dispose();
        panels.delete(s);
      },
    });
    panels.set(s, panel);
    s.context.subscriptions.push(panel);
  }
  return panel;
}

/** The run folders a command argument names: run nodes, experiment nodes (their runs), run folder paths. */
function runDirsOf(args: readonly unknown[]): string[] {
  return args.flatMap((arg) => {
    if (typeof arg === "string") return [arg];
    const node = asNode(arg);
    if (node?.kind === "run") return [node.run.dir];
    if (node?.kind === "checkpoint") return [node.runDir];
    if (node?.kind === "experiment") return listRuns(describeExperiment(node.info.file).runsDir).map((r) => r.dir);
    return [];
  });
}

/** The experiment of the active editor, as a tree node would name it. */
function activeExperiment(): unknown {
  const doc = vscode.window.activeTextEditor?.document;
  return doc?.uri.scheme === "file" && isExperimentFile(doc.uri.fsPath) ? { kind: "experiment", info: describeExperiment(doc.uri.fsPath) } : undefined;
}

export async function showLossCurves(s: Services, arg?: unknown): Promise<void> {
  const target = arg ?? activeExperiment();
  const dirs = runDirsOf([target]);
  const existing = panels.get(s);
  if (existing && dirs.length === 0) return existing.reveal();
  await curvesPanel(s).show(dirs, asNode(target)?.kind === "experiment");
}

/** From the tree's context menu VS Code passes the clicked node and then every selected node. */
export async function compareRuns(s: Services, clicked?: unknown, selected?: unknown): Promise<void> {
  const nodes = Array.isArray(selected) && selected.length ? selected : clicked ? [clicked] : s.treeView.selection;
  const dirs = runDirsOf(nodes);
  if (dirs.length === 0) {
    void vscode.window.showInformationMessage("SSL: select runs (or experiments) in the SSL Experiments view, then Compare Runs.");
    return;
  }
  await curvesPanel(s).show(dirs, true);
}
