/**
 * The SaliencyCut settings: map (hc / rc / both) and output, sliders for
 * threshold, iterations and working scale, "Reset" back to the experiment's
 * settings and "Recolour" for a new region palette. A move sends
 * `setParams`; the host re-runs after a short debounce. A control the person
 * just moved ignores older values the host may still send for a moment.
 */
import type { PanelSettings, PanelToHost, SaliencyParams } from "../../src/protocol/saliencyExplorer";
import { h } from "../augmentPreview/dom";

type Select = HTMLElement & { value: string };
type Field = keyof SaliencyParams;

const PENDING_MS = 1500;

interface SliderSpec {
  field: "threshold" | "iterations" | "scale";
  label: string;
  min: number;
  max: number;
  step: number;
  title: string;
}

const SLIDERS: SliderSpec[] = [
  { field: "threshold", label: "Threshold", min: 1, max: 254, step: 1, title: "Binarise the saliency map (0–255) at this value to seed GrabCut's first trimap (Cheng et al.: 70)" },
  { field: "iterations", label: "Iterations", min: 1, max: 10, step: 1, title: "GrabCut rounds at most, each on a trimap rebuilt from the previous mask (Cheng et al.: 4)" },
  { field: "scale", label: "Scale", min: 0.1, max: 1, step: 0.05, title: "Working scale: compute on the image resized by this factor, then bring the results back to full size" },
];

const fmt = (field: Field, v: number) => (field === "scale" ? v.toFixed(2) : String(v));

export class Controls {
  readonly el = h("section", { class: "controls", "data-testid": "controls" });
  private readonly setters: ((p: SaliencyParams) => void)[] = [];
  private readonly pending = new Map<Field, { value: unknown; at: number }>();
  private readonly reset: HTMLElement & { disabled: boolean };
  private current?: SaliencyParams;
  private file?: SaliencyParams;
  private readonly differs = h("vscode-badge", { "data-testid": "params-differ", hidden: true, title: "The settings differ from the experiment's saliency section" }, "edited");

  constructor(private readonly send: (m: PanelToHost) => void) {
    this.reset = h("vscode-button", { secondary: true, "data-testid": "reset-params", title: "Back to the experiment's saliency settings" }, "Reset") as HTMLElement & { disabled: boolean };
    const recolour = h("vscode-button", { secondary: true, "data-testid": "recolour", title: "A new random palette for the region map (training draws one each time the op fires)" }, "Recolour");
    this.reset.addEventListener("click", () => {
      this.pending.clear();
      send({ type: "resetParams" });
    });
    recolour.addEventListener("click", () => send({ type: "recolour" }));
    this.el.append(
      this.select("map", "Map", [
        ["rc", "RC: region contrast"],
        ["hc", "HC: histogram contrast"],
        ["both", "both: mean of HC and RC"],
      ]),
      ...SLIDERS.map((s) => this.slider(s)),
      this.select("output", "Output", [
        ["regions", "regions of the object"],
        ["mask", "object mask only"],
      ]),
      h("div", { class: "buttons" }, this.reset, recolour, this.differs),
    );
  }

  private edit(field: Field, value: string | number): void {
    this.pending.set(field, { value, at: Date.now() });
    if (this.current) {
      this.current = { ...this.current, [field]: value };
      this.showEdited();
    }
    this.send({ type: "setParams", params: { [field]: value } });
  }

  /** Whether a value from the host may overwrite this control now. */
  private accepts(field: Field, value: unknown): boolean {
    const p = this.pending.get(field);
    if (!p) return true;
    if (p.value === value || Date.now() - p.at > PENDING_MS) {
      this.pending.delete(field);
      return true;
    }
    return false;
  }

  private select(field: "map" | "output", label: string, options: [string, string][]): HTMLElement {
    const select = h("vscode-single-select", { "data-testid": field, "aria-label": label }, ...options.map(([value, text]) => h("vscode-option", { value }, text))) as Select;
    select.addEventListener("change", () => this.edit(field, select.value));
    this.setters.push((p) => {
      if (this.accepts(field, p[field]) && select.value !== p[field]) select.value = p[field];
    });
    return h("label", { class: "setting" }, h("span", { class: "name" }, label), select);
  }

  private slider(s: SliderSpec): HTMLElement {
    const input = h("input", { type: "range", min: s.min, max: s.max, step: s.step, "data-testid": s.field, "aria-label": s.label, title: s.title });
    const out = h("output", { class: "value", "data-testid": `${s.field}-value` });
    input.addEventListener("input", () => {
      const value = Number(input.value);
      out.textContent = fmt(s.field, value);
      this.edit(s.field, value);
    });
    this.setters.push((p) => {
      if (!this.accepts(s.field, p[s.field])) return;
      input.value = String(p[s.field]);
      out.textContent = fmt(s.field, p[s.field]);
    });
    return h("label", { class: "setting slider", title: s.title }, h("span", { class: "name" }, s.label), input, out);
  }

  update(s: PanelSettings): void {
    for (const set of this.setters) set(s.params);
    this.current = { ...s.params };
    for (const [field, p] of this.pending) this.current = { ...this.current, [field]: p.value };
    this.file = s.experiment?.params;
    this.showEdited();
  }

  private showEdited(): void {
    const file = this.file;
    const now = this.current;
    const edited = !!file && !!now && (Object.keys(file) as Field[]).some((k) => file[k] !== now[k]);
    this.differs.hidden = !edited;
    this.reset.disabled = !edited;
  }
}
