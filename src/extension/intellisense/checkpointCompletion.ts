/**
 * Completion of `init.checkpoint`: the runs of every experiment in the
 * workspace that have a checkpoint (a run folder means its last one), each
 * followed by its checkpoint folders, newest first, as paths relative to the
 * experiment being edited.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { allRuns } from "../commands/pickers";
import { presentCheckpoint, presentRun } from "../format";
import type { StringAtCursor } from "./cursor";

export interface CheckpointChoice {
  /** Relative to the experiment file's folder, "/"-separated. */
  path: string;
  kind: "run" | "checkpoint";
  detail: string;
}

const relative = (from: string, to: string) => path.relative(from, to).split(path.sep).join("/");

export async function checkpointChoices(experimentDir: string): Promise<CheckpointChoice[]> {
  const out: CheckpointChoice[] = [];
  for (const { experimentName, run } of await allRuns((r) => r.checkpoints.length > 0)) {
    out.push({ path: relative(experimentDir, run.dir), kind: "run", detail: `${experimentName} · ${presentRun(run).description} · its last checkpoint` });
    for (const c of [...run.checkpoints].reverse()) {
      const p = presentCheckpoint(c);
      out.push({ path: relative(experimentDir, c.dir), kind: "checkpoint", detail: [experimentName, p.label, p.description].filter(Boolean).join(" · ") });
    }
  }
  return out;
}

export async function checkpointItems(doc: vscode.TextDocument, at: StringAtCursor, experimentDir: string): Promise<vscode.CompletionItem[]> {
  // The whole string is replaced: a choice is a complete path.
  const range = new vscode.Range(doc.positionAt(at.contentStart), doc.positionAt(at.contentEnd));
  return (await checkpointChoices(experimentDir)).map((c, i) => {
    const item = new vscode.CompletionItem(c.path, c.kind === "run" ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.File);
    item.range = range;
    item.detail = c.detail;
    item.sortText = String(i).padStart(5, "0");
    return item;
  });
}
