/**
 * Completion of `augment.preset` and `recipe`: the named policies and
 * recipes with what they contain. This is where the editor knows more than
 * the JSON Schema: the method's own policy comes first, and a preset the
 * method cannot use (MAE takes one view, SimCLR two) says why. The editor
 * schema validates these names by pattern without listing them
 * (core/config/editorSchema.ts), so each is offered once.
 */
import * as vscode from "vscode";
import { policyIssues } from "../../core/augment/check";
import { METHOD_PRESETS, PRESETS } from "../../core/augment/presets";
import { resolveExperiment } from "../../core/config/advice";
import { AUGMENT_PRESETS } from "../../core/config/augmentSchema";
import { RECIPES, RECIPE_NAMES } from "../../core/config/recipes";
import { METHODS, type Experiment, type Method } from "../../core/config/schema";
import type { StringAtCursor } from "./cursor";
import { policyMarkdown, viewCountText } from "./policyText";

export function methodOf(raw: unknown): Method {
  const m = (raw as { method?: unknown } | undefined)?.method;
  return (METHODS as unknown[]).includes(m) ? (m as Method) : "simclr";
}

/** Why `method` cannot use the preset, in the config check's words; undefined when it can. */
export function presetProblem(raw: unknown, method: Method, preset: (typeof AUGMENT_PRESETS)[number]): string | undefined {
  const imageSize = resolveExperiment(raw).config.imageSize;
  const config = { method, imageSize: typeof imageSize === "number" ? imageSize : 32, augment: { preset } };
  return policyIssues(config as unknown as Experiment)[0]?.message;
}

function contentRange(doc: vscode.TextDocument, at: StringAtCursor): vscode.Range {
  return new vscode.Range(doc.positionAt(at.contentStart), doc.positionAt(at.contentEnd));
}

export function presetItems(doc: vscode.TextDocument, at: StringAtCursor, raw: unknown): vscode.CompletionItem[] {
  const method = methodOf(raw);
  const range = contentRange(doc, at);
  return AUGMENT_PRESETS.map((name, i) => {
    const views = PRESETS[name];
    const own = METHOD_PRESETS[method] === name;
    const problem = presetProblem(raw, method, name);
    const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.EnumMember);
    item.range = range;
    item.detail = [viewCountText(views), own ? `${method}'s own policy` : undefined, problem ? `not for ${method}: ${problem}` : undefined].filter(Boolean).join(" · ");
    item.documentation = new vscode.MarkdownString(policyMarkdown(views));
    // The method's own first, then the ones it can use, then the rest.
    item.sortText = `${own ? 0 : problem ? 2 : 1}${String(i).padStart(3, "0")}`;
    return item;
  });
}

export function recipeItems(doc: vscode.TextDocument, at: StringAtCursor): vscode.CompletionItem[] {
  const range = contentRange(doc, at);
  return RECIPE_NAMES.map((name) => {
    const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.EnumMember);
    item.range = range;
    item.detail = `${RECIPES[name].method} recipe · the file's own fields override it`;
    item.documentation = new vscode.MarkdownString().appendCodeblock(JSON.stringify(RECIPES[name], null, 2), "json");
    return item;
  });
}
