/**
 * Completion of a path field (dataset files and folders, the runs and cache
 * folders): the entries of the folder typed so far, relative to the
 * experiment file's folder, one path segment at a time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { StringAtCursor } from "./cursor";

export interface PathEntry {
  name: string;
  isDir: boolean;
}

/**
 * Entries of the folder named by `typed` up to its last "/" (relative to
 * `baseDir`), folders first. Hidden entries only when the segment being
 * typed starts with "."; files only when the field takes a file.
 */
export function pathEntries(baseDir: string, typed: string, target: "file" | "folder"): PathEntry[] {
  const slash = typed.lastIndexOf("/");
  const folder = path.resolve(baseDir, typed.slice(0, slash + 1) || ".");
  const segment = typed.slice(slash + 1);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const isDir = (e: fs.Dirent) => e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(folder, e.name), { throwIfNoEntry: false })?.isDirectory() === true);
  return entries
    .filter((e) => segment.startsWith(".") || !e.name.startsWith("."))
    .map((e) => ({ name: e.name, isDir: isDir(e) }))
    .filter((e) => e.isDir || target === "file")
    .sort((a, b) => (a.isDir === b.isDir ? a.name.localeCompare(b.name) : a.isDir ? -1 : 1));
}

export function pathItems(doc: vscode.TextDocument, at: StringAtCursor, baseDir: string, target: "file" | "folder"): vscode.CompletionItem[] {
  const slash = at.typed.lastIndexOf("/");
  // Replace the segment being typed, up to the next "/" or the end of the string.
  const start = at.contentStart + slash + 1;
  const rest = doc.getText().slice(at.contentStart + at.typed.length, at.contentEnd);
  const end = at.contentStart + at.typed.length + (rest.includes("/") ? rest.indexOf("/") : rest.length);
  const range = new vscode.Range(doc.positionAt(start), doc.positionAt(end));
  return pathEntries(baseDir, at.typed, target).map((e, i) => {
    const item = new vscode.CompletionItem(e.name, e.isDir ? vscode.CompletionItemKind.Folder : vscode.CompletionItemKind.File);
    item.range = range;
    item.detail = e.isDir ? "folder" : "file";
    item.sortText = String(i).padStart(5, "0");
    if (e.isDir && target === "file") {
      // A folder on the way to a file: go on into it.
      item.insertText = `${e.name}/`;
      item.command = { command: "editor.action.triggerSuggest", title: "Suggest" };
    }
    return item;
  });
}
