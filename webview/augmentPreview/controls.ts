/**
 * The op controls, built from the resolved views the last render used: per
 * view kind its ops, each with a toggle (p = 0 ⇄ its previous p), a p slider,
 * a magnitude slider where the op has one, and a few parameter sliders. Moving
 * one sends an `editOp`; the host keeps the draft and re-renders.
 */
import type { ViewSpec } from "../../src/core/config/augmentSchema";
import type { PanelToHost } from "../../src/protocol/augmentPreview";
import { h } from "./dom";
import { NO_P_OPS, rangeText, slidersFor, type SliderSpec } from "./opControls";

type Op = Record<string, unknown> & { op: string };
type Setter = (views: ViewSpec[]) => void;

/** An edited control ignores values from renders of older drafts for this long, unless they match what it sent. */
const PENDING_MS = 1500;

const fmt = (field: string, v: number) => (field === "magnitude" || field === "n" ? String(+v.toFixed(1)) : v.toFixed(2));

export class OpControls {
  readonly el = h("section", { class: "controls", "data-testid": "controls" });
  private signature = "";
  private setters: Setter[] = [];
  private pending = new Map<string, { value: unknown; at: number }>();

  constructor(private readonly send: (m: PanelToHost) => void) {
    this.el.append(h("p", { class: "hint" }, "The policy's ops appear here after the first render."));
  }

  /** Forget what was sent (after Discard: the file's values win at once). */
  clearPending(): void {
    this.pending.clear();
  }

  update(views: ViewSpec[]): void {
    const signature = JSON.stringify(views.map((v) => [v.name, v.count, v.size, v.ops.map((o) => o.op)]));
    if (signature !== this.signature) {
      this.signature = signature;
      this.build(views);
    }
    for (const set of this.setters) set(views);
  }

  private edit(view: number, op: number, field: string, value: unknown): void {
    this.pending.set(`${view}/${op}/${field}`, { value, at: Date.now() });
    this.send({ type: "editOp", view, op, field, value });
  }

  /** Whether a value from a render may overwrite this control now. */
  private accepts(key: string, value: unknown): boolean {
    const p = this.pending.get(key);
    if (!p) return true;
    if (JSON.stringify(p.value) === JSON.stringify(value) || Date.now() - p.at > PENDING_MS) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  private build(views: ViewSpec[]): void {
    this.setters = [];
    const sections = views.map((view, v) =>
      h(
        "section",
        { class: "view-kind", "data-testid": "view-kind", "data-view": v },
        h("h3", {}, view.name, view.count > 1 ? h("span", { class: "count" }, ` ×${view.count}`) : null, view.size ? h("span", { class: "size" }, ` · ${view.size} px`) : null),
        ...view.ops.map((op, i) => this.opRow(v, i, op as Op)),
      ),
    );
    this.el.replaceChildren(...sections);
  }

  private opRow(v: number, i: number, op: Op): HTMLElement {
    const row = h("div", { class: "op", "data-testid": "op", "data-view": v, "data-op": i, "data-name": op.op });
    const head = h("div", { class: "op-head" });
    if (!NO_P_OPS.has(op.op)) {
      const toggle = h("vscode-checkbox", { toggle: true, "data-testid": "op-toggle", title: `Switch ${op.op} off (p = 0) or back on` }) as HTMLElement & { checked: boolean };
      toggle.append(op.op);
      toggle.addEventListener("change", () => this.edit(v, i, "enabled", toggle.checked));
      const key = `${v}/${i}/enabled`;
      this.setters.push((views) => {
        const p = (views[v]?.ops[i] as Op | undefined)?.p as number | undefined;
        if (p === undefined || !this.accepts(key, p > 0)) return;
        toggle.checked = p > 0;
        row.classList.toggle("off", p === 0);
      });
      head.append(toggle);
    } else {
      head.append(h("span", { class: "op-name" }, op.op));
    }
    const ranges = h("span", { class: "ranges", "data-testid": "op-ranges" });
    head.append(ranges);
    this.setters.push((views) => (ranges.textContent = rangeText((views[v]?.ops[i] ?? {}) as Record<string, unknown>)));
    row.append(head, ...slidersFor(op.op as never).map((s) => this.slider(v, i, s, row)));
    return row;
  }

  private slider(v: number, i: number, s: SliderSpec, row: HTMLElement): HTMLElement {
    const key = `${v}/${i}/${s.field}`;
    const input = h("input", { type: "range", min: s.min, max: s.max, step: s.step, "data-testid": `op-${s.field}`, "aria-label": `${s.label} of op ${i + 1}` });
    const out = h("output", { class: "value" });
    const clear = s.optional
      ? h("vscode-button", { secondary: true, class: "clear", title: `Clear ${s.field}: back to the op's explicit range`, "data-testid": `op-${s.field}-clear` }, "range")
      : null;
    const wrap = h("label", { class: "slider", "data-field": s.field }, h("span", { class: "name" }, s.label), input, out, clear);
    input.addEventListener("input", () => {
      const value = Number(input.value);
      out.textContent = fmt(s.field, value);
      wrap.classList.remove("unset");
      if (s.field === "p") row.classList.toggle("off", value === 0);
      this.edit(v, i, s.field, value);
    });
    clear?.addEventListener("click", () => this.edit(v, i, s.field, null));
    this.setters.push((views) => {
      const value = (views[v]?.ops[i] as Op | undefined)?.[s.field];
      if (!this.accepts(key, value ?? null)) return;
      const unset = typeof value !== "number";
      wrap.classList.toggle("unset", unset);
      if (clear) clear.hidden = unset;
      input.value = String(unset ? s.min : value);
      out.textContent = unset ? "range" : fmt(s.field, value);
    });
    return wrap;
  }
}
