/**
 * The controls above the plot: metric, x axis, smoothing, log scale, colour
 * by config field, zoom out, and the exports. Each change is reported as a
 * partial view; the page merges it and asks the host.
 */
import { CURVE_METRICS, X_AXES, X_AXIS_LABELS } from "../../src/core/curves/metrics";
import type { CurveView } from "../../src/protocol/lossCurves";
import { h } from "../augmentPreview/dom";

type Select = HTMLElement & { value: string };
type Checkbox = HTMLElement & { checked: boolean };

export interface ToolbarEvents {
  change(edit: Partial<CurveView>): void;
  zoomOut(): void;
  exportCsv(): void;
  exportPng(): void;
}

const option = (value: string, text: string) => h("vscode-option", { value }, text);

export class Toolbar {
  readonly el: HTMLElement;
  private readonly metric: Select;
  private readonly xAxis: Select;
  private readonly smoothing: HTMLInputElement;
  private readonly smoothingOut: HTMLOutputElement;
  private readonly log: Checkbox;
  private readonly colorBy: Select;
  private fields: string[] = [];

  constructor(events: ToolbarEvents) {
    this.metric = h("vscode-single-select", { "data-testid": "metric", "aria-label": "Metric" }, ...CURVE_METRICS.map((m) => option(m.id, m.label))) as Select;
    this.xAxis = h("vscode-single-select", { "data-testid": "x-axis", "aria-label": "X axis" }, ...X_AXES.map((x) => option(x, X_AXIS_LABELS[x]))) as Select;
    this.smoothing = h("input", { type: "range", min: 0, max: 0.99, step: 0.01, "data-testid": "smoothing", "aria-label": "Smoothing", title: "EMA smoothing weight (TensorBoard's), computed on every logged point" });
    this.smoothingOut = h("output", { class: "value", "data-testid": "smoothing-value" });
    this.log = h("vscode-checkbox", { "data-testid": "log-scale", label: "Log scale" }) as Checkbox;
    this.colorBy = h("vscode-single-select", { "data-testid": "color-by", "aria-label": "Colour by", combobox: true }, option("", "run")) as Select;

    this.metric.addEventListener("change", () => events.change({ metric: this.metric.value, range: undefined }));
    this.xAxis.addEventListener("change", () => events.change({ xAxis: this.xAxis.value as CurveView["xAxis"], range: undefined }));
    this.smoothing.addEventListener("input", () => {
      this.smoothingOut.textContent = Number(this.smoothing.value).toFixed(2);
      events.change({ smoothing: Number(this.smoothing.value) });
    });
    this.log.addEventListener("change", () => events.change({ logScale: this.log.checked }));
    this.colorBy.addEventListener("change", () => events.change({ colorBy: this.colorBy.value || undefined }));

    const button = (text: string, testid: string, title: string, onClick: () => void) => {
      const b = h("vscode-button", { secondary: true, "data-testid": testid, title }, text);
      b.addEventListener("click", onClick);
      return b;
    };
    const labelled = (name: string, control: HTMLElement, ...more: HTMLElement[]) => h("label", { class: "setting" }, h("span", { class: "name" }, name), control, ...more);
    this.el = h(
      "div",
      { class: "toolbar" },
      labelled("Metric", this.metric),
      labelled("X axis", this.xAxis),
      labelled("Smoothing", this.smoothing, this.smoothingOut),
      this.log,
      labelled("Colour by", this.colorBy),
      h("span", { class: "spacer" }),
      button("Zoom out", "zoom-out", "Show the whole runs (or double-click the plot)", events.zoomOut),
      button("CSV", "export-csv", "Export the shown points at full resolution as CSV", events.exportCsv),
      button("PNG", "export-png", "Export the plot as a PNG image", events.exportPng),
    );
  }

  update(view: CurveView): void {
    if (this.metric.value !== view.metric) this.metric.value = view.metric;
    if (this.xAxis.value !== view.xAxis) this.xAxis.value = view.xAxis;
    if (document.activeElement !== this.smoothing) this.smoothing.value = String(view.smoothing);
    this.smoothingOut.textContent = view.smoothing.toFixed(2);
    this.log.checked = view.logScale;
    if (this.colorBy.value !== (view.colorBy ?? "")) this.colorBy.value = view.colorBy ?? "";
  }

  setFields(fields: string[], current: string | undefined): void {
    if (fields.join("\n") === this.fields.join("\n")) return;
    this.fields = fields;
    this.colorBy.replaceChildren(option("", "run"), ...fields.map((f) => option(f, f)));
    this.colorBy.value = current ?? "";
  }
}
