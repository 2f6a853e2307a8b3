/**
 * Writing the panel's draft views into the experiment file's text as small
 * edits that keep its comments and layout: a changed value replaces just that
 * value, an op written on one line stays on one line, and a preset becomes
 * explicit `augment.views` in the preset's own terms (fields that equal the
 * op defaults stay out). Pure text in, text and one edit out; no `vscode`.
 */
import { findNodeAtLocation, getNodeValue, modify, parseTree, type Node, type ParseError } from "jsonc-parser";
import { AUGMENT_PRESETS, type AugmentConfig, type AugmentPreset, type ViewSpec } from "../../core/config/augmentSchema";
import { METHOD_PRESETS, PRESETS } from "../../core/augment/presets";
import { METHODS, type Method } from "../../core/config/schema";
import { policyViews } from "../../core/augment/views";
import { jsonEqual, opDefaults } from "./draft";

export interface Formatting {
  insertSpaces: boolean;
  tabSize: number;
}

/** One replacement in the original text. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

export interface WriteBack {
  text: string;
  /** Empty when the draft changes nothing. */
  edits: TextEdit[];
  /** "fields": values changed in the file's views; "views": augment.views written whole (replacing a preset). */
  kind: "none" | "fields" | "views";
}

type Json = Record<string, unknown>;

const AUGMENT = ["augment"];
const VIEWS = ["augment", "views"];
const SENTINEL = "__ssl_preview_views__";

export class WriteBackError extends Error {
  override name = "WriteBackError";
}

function parse(text: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (!root || errors.length || root.type !== "object") throw new WriteBackError("the file is not a valid JSON object: fix it before applying the draft");
  return root;
}

function rawAugment(root: Node): AugmentConfig {
  const node = findNodeAtLocation(root, AUGMENT);
  const value: unknown = node ? getNodeValue(node) : {};
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new WriteBackError('"augment" is not an object');
  const augment = value as AugmentConfig;
  if (augment.views === undefined && augment.preset !== undefined && !(AUGMENT_PRESETS as readonly string[]).includes(augment.preset)) {
    throw new WriteBackError(`unknown preset "${augment.preset}"`);
  }
  return augment;
}

/** The file's method, whose policy applies when the file names none; an unknown one is the config check's to report. */
function rawMethod(root: Node): Method {
  const node = findNodeAtLocation(root, ["method"]);
  const value: unknown = node ? getNodeValue(node) : undefined;
  return (METHODS as readonly unknown[]).includes(value) ? (value as Method) : "simclr";
}

/** One unit of indentation. */
function indentUnit(f: Formatting): string {
  return f.insertSpaces ? " ".repeat(f.tabSize) : "\t";
}

/** JSON on one line, spaced like the example configs: `{ "op": "hflip", "p": 0.5 }`, `[0.2, 1]`. */
export function inlineJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(", ")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Json).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`).join(", ")} }` : "{}";
  }
  return JSON.stringify(value);
}

/** A views array: one field per line for each view, one op per line. `indent` is the indentation of the line it starts on. */
export function serializeViews(views: readonly Json[], indent: string, unit: string, eol: string): string {
  if (!views.length) return "[]";
  const i1 = indent + unit;
  const i2 = i1 + unit;
  const i3 = i2 + unit;
  const view = (v: Json) => {
    const lines = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => {
        if (k === "ops" && Array.isArray(x) && x.length) {
          return `${i2}"ops": [${eol}${x.map((o) => i3 + inlineJson(o)).join(`,${eol}`)}${eol}${i2}]`;
        }
        return `${i2}${JSON.stringify(k)}: ${inlineJson(x)}`;
      });
    return `${i1}{${eol}${lines.join(`,${eol}`)}${eol}${i1}}`;
  };
  return `[${eol}${views.map(view).join(`,${eol}`)}${eol}${indent}]`;
}

/** The leading whitespace of the line `offset` is on. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function replace(text: string, offset: number, length: number, content: string): string {
  return text.slice(0, offset) + content + text.slice(offset + length);
}

/** The file's raw op with the draft's changes against the resolved op: changed keys set, dropped keys removed. */
function changedOp(raw: Json, resolved: Json, draft: Json): { op: Json; changed: string[] } {
  const op: Json = { ...raw };
  const changed: string[] = [];
  for (const k of new Set([...Object.keys(resolved), ...Object.keys(draft)])) {
    if (jsonEqual(resolved[k], draft[k])) continue;
    changed.push(k);
    if (draft[k] === undefined) delete op[k];
    else op[k] = structuredClone(draft[k]);
  }
  return { op, changed };
}

/** Same view kinds, same ops in the same order, same view fields: the draft only changed op fields. */
function sameShape(a: readonly ViewSpec[], b: readonly ViewSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every((v, i) => {
      const w = b[i]!;
      return v.name === w.name && v.count === w.count && v.size === w.size && v.ops.length === w.ops.length && v.ops.every((o, j) => o.op === w.ops[j]!.op);
    })
  );
}

/** A view as written, with the op fields that equal their defaults left out (p is always kept: it is what the panel is about). */
function minimalView(v: ViewSpec): Json {
  const ops = v.ops.map((o) => {
    const defaults = opDefaults(o.op);
    const out: Json = { op: o.op };
    if ("p" in o) out.p = o.p;
    for (const [k, x] of Object.entries(o)) if (!(k in out) && !jsonEqual(defaults[k], x)) out[k] = x;
    return out;
  });
  return { name: v.name, count: v.count, ...(v.size !== undefined ? { size: v.size } : {}), ops };
}

/** Edits op fields of explicit views in place. */
function writeFields(text: string, fileViews: readonly ViewSpec[], draft: readonly ViewSpec[], f: Formatting, eol: string): string {
  for (let v = 0; v < draft.length; v++) {
    for (let i = 0; i < draft[v]!.ops.length; i++) {
      const at = [...VIEWS, v, "ops", i];
      const root = parse(text);
      const node = findNodeAtLocation(root, at)!;
      const raw = getNodeValue(node) as Json;
      const { op, changed } = changedOp(raw, fileViews[v]!.ops[i] as Json, draft[v]!.ops[i] as Json);
      if (!changed.length) continue;
      const keysChanged = changed.some((k) => (k in raw) !== (k in op));
      if (!keysChanged) {
        // Only values: replace each value node, last first so earlier offsets hold.
        const nodes = changed.map((k) => ({ k, n: findNodeAtLocation(node, [k])! })).sort((a, b) => b.n.offset - a.n.offset);
        for (const { k, n } of nodes) text = replace(text, n.offset, n.length, inlineJson(op[k]));
      } else if (!text.slice(node.offset, node.offset + node.length).includes("\n")) {
        // An op on one line stays on one line.
        text = replace(text, node.offset, node.length, inlineJson(op));
      } else {
        for (const k of changed) {
          text = applyJsonc(text, modify(text, [...at, k], op[k], { formattingOptions: { ...f, eol } }));
        }
      }
    }
  }
  return text;
}

/** Writes whole `augment.views` (replacing `augment.preset`). */
function writeViews(text: string, root: Node, views: readonly Json[], f: Formatting, eol: string): string {
  const unit = indentUnit(f);
  const existing = findNodeAtLocation(root, VIEWS);
  if (existing) return replace(text, existing.offset, existing.length, serializeViews(views, lineIndent(text, existing.offset), unit, eol));
  const augment = findNodeAtLocation(root, AUGMENT);
  const preset = findNodeAtLocation(root, [...AUGMENT, "preset"])?.parent;
  const multiLine = augment && text.slice(augment.offset, augment.offset + augment.length).includes("\n");
  if (preset && multiLine) {
    // "preset": "x" becomes "views": [...] where it stood, comments around it kept.
    return replace(text, preset.offset, preset.length, `"views": ${serializeViews(views, lineIndent(text, preset.offset), unit, eol)}`);
  }
  if (preset) text = applyJsonc(text, modify(text, [...AUGMENT, "preset"], undefined, { formattingOptions: f }));
  text = applyJsonc(text, modify(text, VIEWS, SENTINEL, { formattingOptions: { ...f, eol } }));
  const at = text.indexOf(JSON.stringify(SENTINEL));
  return replace(text, at, SENTINEL.length + 2, serializeViews(views, lineIndent(text, at), unit, eol));
}

function applyJsonc(text: string, edits: TextEdit[]): string {
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) text = replace(text, e.offset, e.length, e.content);
  return text;
}

/** The one replacement that turns `before` into `after`: the differing middle, common start and end kept. */
export function minimalEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  return { offset: start, length: before.length - start - end, content: after.slice(start, after.length - end) };
}

/**
 * The file's text with the draft views written into `augment.views`. A file
 * with explicit views of the same shape gets its changed fields edited; a
 * preset (or no policy: simclr) is replaced by views written like the preset.
 */
export function writeDraft(text: string, draft: readonly ViewSpec[], f: Formatting = { insertSpaces: true, tabSize: 2 }): WriteBack {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const root = parse(text);
  const augment = rawAugment(root);
  const method = rawMethod(root);
  const fileViews = policyViews(augment, method);
  let after: string;
  let kind: WriteBack["kind"];
  if (jsonEqual(fileViews, draft)) return { text, edits: [], kind: "none" };
  if (augment.views !== undefined && sameShape(fileViews, draft)) {
    after = writeFields(text, fileViews, draft, f, eol);
    kind = "fields";
  } else {
    let views: Json[];
    if (augment.views === undefined && sameShape(fileViews, draft)) {
      // The preset's own terms, with the draft's changes.
      const preset = structuredClone(PRESETS[(augment.preset ?? METHOD_PRESETS[method]) as AugmentPreset]) as unknown as Json[];
      views = preset.map((v, i) => {
        const ops = (v.ops as Json[]).map((raw, j) => changedOp(raw, fileViews[i]!.ops[j] as Json, draft[i]!.ops[j] as Json).op);
        return { name: draft[i]!.name, count: draft[i]!.count, ...(v.size !== undefined ? { size: v.size } : {}), ops };
      });
    } else {
      views = draft.map(minimalView);
    }
    after = writeViews(text, root, views, f, eol);
    kind = "views";
  }
  const edit = minimalEdit(text, after);
  return { text: after, edits: edit ? [edit] : [], kind: edit ? kind : "none" };
}
