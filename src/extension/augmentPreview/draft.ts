/**
 * The preview panel's draft: the policy's views as the panel's toggles and
 * sliders changed them, before they are written to the file. Pure data, no
 * `vscode`: one edit in, a new draft out (or the reason the edit is refused).
 */
import { fillDefaults } from "../../core/config/defaults";
import { OpSchema, type OpSpec, type ViewSpec } from "../../core/config/augmentSchema";

export interface Draft {
  views: ViewSpec[];
  /** p of each op switched off with the toggle ("view/op"), restored when it is switched on again. */
  savedP: Record<string, number>;
}

export interface OpEdit {
  view: number;
  op: number;
  /** An op field ("p", "magnitude", "degrees"...), or "enabled" for the toggle (p = 0 ⇄ previous p). */
  field: string;
  value: unknown;
}

export type EditResult = { ok: true; draft: Draft } | { ok: false; reason: string };

/** A draft that starts as the given (resolved) views. */
export function startDraft(views: readonly ViewSpec[]): Draft {
  return { views: structuredClone(views) as ViewSpec[], savedP: {} };
}

/** Slider values arrive as floats (0.15000000000000002): the file gets 6 significant decimals at most. */
export function tidyNumber(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The op's schema defaults ({ op: "solarize" } → p 1, threshold [0.5, 0.5]...). */
export function opDefaults(op: OpSpec["op"]): Record<string, unknown> {
  return fillDefaults(OpSchema, { op }) as Record<string, unknown>;
}

/** Whether an op has a probability (every op but randomResizedCrop and normalize). */
export function hasP(op: OpSpec): boolean {
  return "p" in opDefaults(op.op);
}

/** Fields the schema gives an op, whether or not the spec sets them (magnitude is optional, so not among the defaults). */
function opFields(op: OpSpec["op"]): Set<string> {
  const variant = (OpSchema.anyOf as { properties: Record<string, { const?: string }> }[]).find((v) => v.properties.op?.const === op);
  return new Set(Object.keys(variant?.properties ?? {}));
}

/** The p that switching an op back on restores: its p before it was switched off, else its default, else 1. */
function restoredP(draft: Draft, key: string, op: OpSpec): number {
  const saved = draft.savedP[key];
  if (isNumber(saved) && saved > 0) return saved;
  const def = opDefaults(op.op).p;
  return isNumber(def) && def > 0 ? def : 1;
}

export function editDraft(draft: Draft, edit: OpEdit): EditResult {
  const view = draft.views[edit.view];
  const op = view?.ops[edit.op];
  if (!view || !op) return { ok: false, reason: `no op ${edit.op} in view ${edit.view}` };
  const key = `${edit.view}/${edit.op}`;
  const next: Draft = { views: structuredClone(draft.views), savedP: { ...draft.savedP } };
  const target = next.views[edit.view]!.ops[edit.op] as Record<string, unknown> & OpSpec;
  const { field, value } = edit;

  if (field === "enabled") {
    if (typeof value !== "boolean") return { ok: false, reason: "enabled must be true or false" };
    if (!hasP(op)) return { ok: false, reason: `${op.op} cannot be switched off (it has no p)` };
    const p = target.p as number;
    if (!value && p > 0) {
      next.savedP[key] = p;
      target.p = 0;
    } else if (value && p === 0) {
      target.p = restoredP(draft, key, op);
      delete next.savedP[key];
    }
    return { ok: true, draft: next };
  }

  if (field === "op") return { ok: false, reason: "the op itself cannot be changed here" };
  if (!opFields(op.op).has(field)) return { ok: false, reason: `${op.op} has no field "${field}"` };

  if (field === "p") {
    if (!isNumber(value) || value < 0 || value > 1) return { ok: false, reason: "p must be a number in [0, 1]" };
    target.p = tidyNumber(value);
    // A p moved by hand is what switching on restores from now on.
    if (value > 0) delete next.savedP[key];
    return { ok: true, draft: next };
  }

  if (field === "magnitude") {
    // null clears an op's magnitude (back to its explicit range); randAugment's M is required.
    if (value === null && op.op !== "randAugment") {
      delete target.magnitude;
      return { ok: true, draft: next };
    }
    if (!isNumber(value) || value < 0 || value > 30) return { ok: false, reason: "magnitude must be a number in [0, 30]" };
    target.magnitude = tidyNumber(value);
    return { ok: true, draft: next };
  }

  const current = target[field];
  if (value === null && current !== undefined && !(field in opDefaults(op.op))) {
    // An optional field without a default (gaussianBlur's kernelSize, randAugment's magnitudeEnd) can be cleared.
    delete target[field];
    return { ok: true, draft: next };
  }
  if (isNumber(value) && (current === undefined || isNumber(current))) {
    if (value < 0) return { ok: false, reason: `${field} must not be negative` };
    target[field] = field === "n" || field === "kernelSize" ? Math.round(value) : tidyNumber(value);
    return { ok: true, draft: next };
  }
  if (Array.isArray(value) && Array.isArray(current) && value.length === current.length && value.every(isNumber)) {
    const range = value.map(tidyNumber);
    if (range.length === 2 && range[0]! > range[1]!) return { ok: false, reason: `${field}: min must not exceed max` };
    target[field] = range;
    return { ok: true, draft: next };
  }
  return { ok: false, reason: `${field} of ${op.op} cannot be set to ${JSON.stringify(value)} here` };
}

/** Whether two JSON values are equal (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/** Whether a draft still changes anything against the file's (resolved) views. */
export function draftDiffers(draft: Draft, fileViews: readonly ViewSpec[]): boolean {
  return !jsonEqual(draft.views, fileViews);
}
