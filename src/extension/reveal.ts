/**
 * How to show a run folder. revealFileInOS opens the OS file manager of the
 * machine running the UI, which is meaningless when the files live on a
 * remote host or the UI is a browser (code-server), so those fall back to
 * VS Code's own explorer.
 */
import * as path from "node:path";

export type RevealStrategy = "os" | "explorer" | "newWindow";

export function revealStrategy(opts: { remoteName?: string; isWebUi: boolean; workspaceFolders: readonly string[]; target: string }): RevealStrategy {
  if (!opts.remoteName && !opts.isWebUi) return "os";
  return opts.workspaceFolders.some((f) => isInside(f, opts.target)) ? "explorer" : "newWindow";
}

export function isInside(folder: string, target: string): boolean {
  const rel = path.relative(folder, target);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
