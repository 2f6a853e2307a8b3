/** What the commands share, created once in activate(). */
import type * as vscode from "vscode";
import type { RunController } from "./runController";
import type { RunRegistry } from "./runRegistry";
import type { RunsTreeProvider, SslNode } from "./runsTree";

export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  registry: RunRegistry;
  controller: RunController;
  tree: RunsTreeProvider;
  treeView: vscode.TreeView<SslNode>;
}

/** Tree nodes arrive as command arguments from view menus; anything else (a Uri, a string) is not one. */
export function asNode(arg: unknown): SslNode | undefined {
  if (arg && typeof arg === "object" && "kind" in arg) {
    const kind = (arg as { kind: unknown }).kind;
    if (kind === "experiment" || kind === "run" || kind === "checkpoint") return arg as SslNode;
  }
  return undefined;
}
