/** "SSL: Pretrain" and "SSL: Resume Run". */
import * as vscode from "vscode";
import { isResumable } from "../runFolder";
import { asNode, type Services } from "../services";
import { experimentFileFor, pickRun } from "./pickers";

export async function pretrain(s: Services, arg?: unknown): Promise<void> {
  const file = await experimentFileFor(arg, "SSL: Pretrain");
  if (!file) return;
  // Not awaited: the command returns once the run is under way, not when it ends.
  void s.controller.start(file).then(() => s.tree.refresh());
  s.tree.refresh();
}

export async function resumeRun(s: Services, arg?: unknown): Promise<void> {
  const node = asNode(arg);
  let target: { experimentFile: string; runDir: string } | undefined;
  if (node?.kind === "run") {
    if (!isResumable(node.run)) {
      void vscode.window.showInformationMessage(`SSL: run ${node.run.id} has no complete checkpoint to resume from, or is not stopped.`);
      return;
    }
    target = { experimentFile: node.experimentFile, runDir: node.run.dir };
  } else {
    const choice = await pickRun("SSL: Resume Run", s.registry, isResumable);
    if (choice) target = { experimentFile: choice.experimentFile, runDir: choice.run.dir };
  }
  if (!target) return;
  void s.controller.start(target.experimentFile, { resumeRunDir: target.runDir }).then(() => s.tree.refresh());
  s.tree.refresh();
}
