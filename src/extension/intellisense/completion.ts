/**
 * Completion in experiment files for what the JSON Schema cannot list:
 * paths on disk, checkpoints of the workspace's runs, and presets/recipes
 * that fit the method. Everything else (field names, enums) is the schema's.
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { fieldKind } from "../../core/config/fieldKinds";
import { checkpointItems } from "./checkpointCompletion";
import { parseLoosely, stringAtCursor } from "./cursor";
import { pathItems } from "./pathCompletion";
import { presetItems, recipeItems } from "./presetCompletion";

export class ExperimentCompletions implements vscode.CompletionItemProvider {
  /** `"` opens a value, `/` goes one folder deeper. */
  static readonly triggerCharacters = ['"', "/"];

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const text = doc.getText();
    const at = stringAtCursor(text, doc.offsetAt(position));
    if (!at) return undefined;
    const raw = parseLoosely(text);
    const kind = fieldKind(at.path, raw);
    const experimentDir = path.dirname(doc.uri.fsPath);
    switch (kind?.kind) {
      case "path":
        return pathItems(doc, at, experimentDir, kind.target);
      case "checkpoint":
        return checkpointItems(doc, at, experimentDir);
      case "augmentPreset":
        return presetItems(doc, at, raw);
      case "recipe":
        return recipeItems(doc, at);
      default:
        return undefined;
    }
  }
}
