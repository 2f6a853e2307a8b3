/**
 * Text of a JSON value a quick fix writes, laid out like the example
 * configs: what fits on a line stays on one line (`{ "op": "hflip", "p": 0.5 }`),
 * the rest one item per line. jsonc-parser's `modify` would put every number
 * of an op on its own line.
 */
import { applyEdits, modify, type EditResult, type JSONPath } from "jsonc-parser";

const WIDTH = 120;

export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(", ")} }` : "{}";
  }
  return JSON.stringify(value);
}

export function layoutJson(value: unknown, indent: string, unit: string, eol: string): string {
  const inline = inlineJson(value);
  if (value === null || typeof value !== "object" || indent.length + inline.length <= WIDTH) return inline;
  const inner = indent + unit;
  const items = Array.isArray(value)
    ? value.map((v) => inner + layoutJson(v, inner, unit, eol))
    : Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${inner}${JSON.stringify(k)}: ${layoutJson(v, inner, unit, eol)}`);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}${eol}${items.join(`,${eol}`)}${eol}${indent}${close}`;
}

const SENTINEL = "__ssl_quick_fix_value__";

/**
 * The edits that set `path` to `value` in `text` (comments and layout
 * elsewhere kept): jsonc-parser's `modify` places it, then the value's text
 * is laid out at the indentation it landed on.
 */
export function setValueEdits(text: string, path: JSONPath, value: unknown, f: { insertSpaces: boolean; tabSize: number }): EditResult {
  if (value === null || typeof value !== "object") return modify(text, path, value, { formattingOptions: f });
  const edits = modify(text, path, SENTINEL, { formattingOptions: f });
  const after = applyEdits(text, edits);
  const at = after.indexOf(JSON.stringify(SENTINEL));
  const lineStart = after.lastIndexOf("\n", at - 1) + 1;
  const indent = /^[ \t]*/.exec(after.slice(lineStart))![0];
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const laidOut = layoutJson(value, indent, f.insertSpaces ? " ".repeat(f.tabSize) : "\t", eol);
  return edits.map((e) => ({ ...e, content: e.content.replace(JSON.stringify(SENTINEL), laidOut) }));
}
