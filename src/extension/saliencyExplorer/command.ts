/**
 * "SSL: Saliency Explorer" and "SSL: Build SaliencyCut Cache". The explorer
 * opens on what the command is about: an image file (its Uri from the
 * explorer's context menu or the editor title, else the active image
 * editor) or an experiment (a tree node, a *.ssl.json Uri or editor). An
 * image in an experiment's image-folder dataset brings that experiment (its
 * settings and cache) along.
 */
import * as vscode from "vscode";
import type { Services } from "../services";
import { asNode } from "../services";
import { experimentFileFor, pickExperimentFile, workspaceExperimentFiles } from "../commands/pickers";
import { isExperimentFile } from "../experiments";
import { SaliencyExplorer } from "./explorer";
import type { ExplorerTarget } from "./panel";
import { experimentForImage, isImageFile } from "./targets";

const explorers = new WeakMap<Services, SaliencyExplorer>();

/** The explorer of this activation, created on first use and disposed with the extension. */
export function saliencyExplorer(s: Services): SaliencyExplorer {
  let e = explorers.get(s);
  if (!e) {
    e = new SaliencyExplorer(s.context, s.log);
    explorers.set(s, e);
    s.context.subscriptions.push(e);
  }
  return e;
}

/** The file of the active editor, text or not (an image opens in VS Code's image preview, a custom editor). */
function activeFile(): string | undefined {
  const input = vscode.window.tabGroups?.activeTabGroup?.activeTab?.input as { uri?: unknown } | undefined;
  const uri = input && input.uri instanceof vscode.Uri ? input.uri : vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === "file" ? uri.fsPath : undefined;
}

function targetOf(arg: unknown): ExplorerTarget | undefined {
  const node = asNode(arg);
  if (node?.kind === "experiment") return { experimentFile: node.info.file };
  const file = arg instanceof vscode.Uri ? (arg.scheme === "file" ? arg.fsPath : undefined) : activeFile();
  if (isImageFile(file)) return { image: file };
  if (isExperimentFile(file)) return { experimentFile: file };
  return undefined;
}

export async function openSaliencyExplorer(s: Services, arg?: unknown): Promise<void> {
  const explorer = saliencyExplorer(s);
  let target = targetOf(arg);
  if (!target) {
    // Nothing in hand: the open panel as it is, or an experiment to explore.
    if (explorer.current) {
      explorer.current.reveal();
      return;
    }
    const file = await pickExperimentFile("SSL: Saliency Explorer");
    if (!file) return;
    target = { experimentFile: file };
  }
  if (target.image && !target.experimentFile) {
    const found = experimentForImage(target.image, await workspaceExperimentFiles());
    if (found) target.experimentFile = found;
  }
  explorer.open(target);
}

export async function buildSaliencyCache(s: Services, arg?: unknown): Promise<void> {
  const explorer = saliencyExplorer(s);
  // Run from the palette while the explorer is in front: its experiment.
  const fromPanel = arg === undefined && explorer.current?.active ? explorer.current.currentExperiment : undefined;
  const file = fromPanel ?? (await experimentFileFor(arg, "SSL: Build SaliencyCut Cache"));
  if (!file) return;
  await explorer.build(file);
}
