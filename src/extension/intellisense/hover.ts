/**
 * Hover on a field of an experiment file: what it accepts and its default
 * (from the TypeBox schema, via core/config/fieldInfo.ts), the papers'
 * values with where they come from, and for a preset what its views do.
 * The field's description is not repeated: VS Code's JSON hover shows it in
 * the same box, from the JSON Schema generated from the same TypeBox schema.
 */
import * as vscode from "vscode";
import { PRESETS } from "../../core/augment/presets";
import type { AugmentPreset } from "../../core/config/augmentSchema";
import { fieldInfo, type FieldInfo } from "../../core/config/fieldInfo";
import { fieldAtCursor, parseLoosely } from "./cursor";
import { policyMarkdown } from "./policyText";

const code = (v: unknown) => `\`${JSON.stringify(v)}\``;

export function hoverMarkdown(info: FieldInfo, value: unknown): string {
  const head = [`**${info.key}**`, info.accepts, info.default !== undefined && typeof info.default !== "object" ? `default ${code(info.default)}` : undefined];
  const lines = [head.filter(Boolean).join(" · ")];
  if (info.paper.length) {
    const values = info.paper.map((p) => `${code(p.value)} — ${p.source}${p.setting ? ` (${p.setting})` : ""}`);
    lines.push(`**Paper value${values.length > 1 ? "s" : ""}:** ${values.join("; ")}`);
  }
  if (info.key === "augment.preset" && typeof value === "string" && value in PRESETS) lines.push(policyMarkdown(PRESETS[value as AugmentPreset]));
  return lines.join("\n\n");
}

export class ExperimentHover implements vscode.HoverProvider {
  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const text = doc.getText();
    const at = fieldAtCursor(text, doc.offsetAt(position));
    if (!at) return undefined;
    const raw = parseLoosely(text);
    // An element of a range like "scale": [0.2, 1] is documented by its field.
    const fieldPath = typeof at.path.at(-1) === "number" && !fieldInfo(at.path, raw)?.description ? at.path.slice(0, -1) : at.path;
    const info = fieldInfo(fieldPath, raw);
    if (!info) return undefined;
    let value: unknown = raw;
    for (const seg of fieldPath) value = value && typeof value === "object" ? (value as Record<string, unknown>)[seg as string] : undefined;
    const range = new vscode.Range(doc.positionAt(at.offset), doc.positionAt(at.offset + at.length));
    return new vscode.Hover(new vscode.MarkdownString(hoverMarkdown(info, value)), range);
  }
}
