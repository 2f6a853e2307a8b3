/**
 * "Apply to file": the draft views written into the experiment's document as
 * one WorkspaceEdit, so the change shows in the editor unsaved and Ctrl+Z
 * takes it back.
 */
import * as vscode from "vscode";
import type { ViewSpec } from "../../core/config/augmentSchema";
import { writeDraft, type Formatting, type WriteBack } from "./writeBack";

/** The indentation the document's editor uses, else two spaces. */
function formattingOf(doc: vscode.TextDocument): Formatting {
  const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
  const o = editor?.options;
  return {
    insertSpaces: typeof o?.insertSpaces === "boolean" ? o.insertSpaces : true,
    tabSize: typeof o?.tabSize === "number" ? o.tabSize : 2,
  };
}

/** Writes `views` into the file's augment.views; resolves to what was written (kind "none": nothing to change). */
export async function applyDraftToDocument(file: string, views: readonly ViewSpec[]): Promise<WriteBack> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const result = writeDraft(doc.getText(), views, formattingOf(doc));
  if (!result.edits.length) return result;
  const edit = new vscode.WorkspaceEdit();
  for (const e of result.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`VS Code refused the edit of ${file}`);
  return result;
}
