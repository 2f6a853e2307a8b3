/** "SSL: Preview Augmentations": the panel of the active (or given, or picked) experiment file. */
import * as vscode from "vscode";
import { isExperimentFile } from "../experiments";
import { asNode, type Services } from "../services";
import { pickExperimentFile } from "../commands/pickers";
import { AugmentPreviews } from "./previews";

const previewsOf = new WeakMap<Services, AugmentPreviews>();

/** The panels of this activation, created with the first preview and disposed with the extension. */
export function augmentPreviews(s: Services): AugmentPreviews {
  let p = previewsOf.get(s);
  if (!p) {
    p = new AugmentPreviews(s.context, s.log);
    previewsOf.set(s, p);
    s.context.subscriptions.push(p);
  }
  return p;
}

export async function previewAugmentations(s: Services, arg?: unknown): Promise<void> {
  const node = asNode(arg);
  let file: string | undefined;
  if (node?.kind === "experiment") file = node.info.file;
  else if (arg instanceof vscode.Uri && arg.scheme === "file" && isExperimentFile(arg.fsPath)) file = arg.fsPath;
  else file = await pickExperimentFile("SSL: Preview Augmentations");
  if (!file) return;
  augmentPreviews(s).open(file);
}
