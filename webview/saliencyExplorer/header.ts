/**
 * The panel's top bar: the experiment (and "Change…"), the image (the
 * experiment's training images in a list or by index, ◀ ▶, "Open image…"),
 * "as training sees it", and the status: what ran, its size, how long.
 */
import type { ExploreResult, PanelSettings, PanelToHost } from "../../src/protocol/saliencyExplorer";
import { h } from "../augmentPreview/dom";
import { formatMs } from "./format";

type Select = HTMLElement & { value: string; disabled: boolean };
type Checkbox = HTMLElement & { checked: boolean; disabled: boolean };
type Field = HTMLElement & { value: string; disabled: boolean };
type Button = HTMLElement & { disabled: boolean };

/** Longer image folders get the index field instead of a list. */
const LIST_AT_MOST = 2000;
const OUTSIDE = "outside";

export class Header {
  readonly el: HTMLElement;
  private readonly experiment = h("span", { class: "experiment", "data-testid": "experiment" });
  private readonly list = h("vscode-single-select", { combobox: true, "data-testid": "image-select", "aria-label": "Image", class: "image-select" }) as Select;
  private readonly index = h("vscode-textfield", { type: "number", min: 0, step: 1, "data-testid": "image-index", "aria-label": "Training image", class: "number" }) as Field;
  private readonly indexLabel = h("span", { class: "index-label", "data-testid": "image-index-label" });
  private readonly prev = h("vscode-button", { secondary: true, "data-testid": "prev", title: "Previous image" }, "◀") as Button;
  private readonly next = h("vscode-button", { secondary: true, "data-testid": "next", title: "Next image" }, "▶") as Button;
  private readonly training = h("vscode-checkbox", { "data-testid": "training", title: "Run on the pixels training sees: the file decoded to the experiment's imageSize, as the cache keys it" }) as Checkbox;
  private readonly ring = h("vscode-progress-ring", { "data-testid": "progress", "aria-label": "Running SaliencyCut", hidden: true });
  private readonly status = h("span", { class: "status", "data-testid": "status" });
  private settings?: PanelSettings;
  private listShape = "";

  constructor(private readonly send: (m: PanelToHost) => void) {
    const change = h("vscode-button", { secondary: true, "data-testid": "pick-experiment", title: "Explore another experiment's images, settings and cache" }, "Change…");
    const open = h("vscode-button", { secondary: true, "data-testid": "pick-file", title: "Run SaliencyCut on any PNG or JPEG file" }, "Open image…");
    this.training.append("as training sees it");
    this.el = h(
      "header",
      { class: "toolbar", "data-testid": "toolbar" },
      h("span", { class: "field" }, h("span", { class: "label" }, "Experiment"), this.experiment, change),
      h("span", { class: "field image" }, h("span", { class: "label" }, "Image"), this.list, this.index, this.indexLabel, this.prev, this.next, open),
      this.training,
      h("span", { class: "spacer" }),
      this.ring,
      this.status,
    );
    change.addEventListener("click", () => send({ type: "pickExperiment" }));
    open.addEventListener("click", () => send({ type: "pickFile" }));
    this.list.addEventListener("change", () => {
      const i = Number(this.list.value);
      if (this.list.value !== OUTSIDE && Number.isInteger(i)) this.choose(i);
    });
    this.index.addEventListener("change", () => {
      const i = /^\s*\d+\s*$/.test(this.index.value) ? Number(this.index.value) : NaN;
      if (Number.isInteger(i)) this.choose(i);
    });
    this.prev.addEventListener("click", () => this.step(-1));
    this.next.addEventListener("click", () => this.step(1));
    this.training.addEventListener("change", () => send({ type: "setTraining", training: this.training.checked }));
  }

  private choose(i: number): void {
    const images = this.settings?.images;
    if (!images || images.count === 0) return;
    const index = Math.min(images.count - 1, Math.max(0, i));
    if (images.files) this.send({ type: "select", selection: { kind: "file", file: images.files[index]! } });
    else this.send({ type: "select", selection: { kind: "index", index } });
  }

  private step(by: number): void {
    const s = this.settings;
    if (!s?.images) return;
    const at = s.selectionIndex < 0 ? (by > 0 ? -1 : s.images.count) : s.selectionIndex;
    this.choose((at + by + s.images.count) % s.images.count);
  }

  update(s: PanelSettings): void {
    this.settings = s;
    this.experiment.textContent = s.experiment?.label ?? "none";
    this.experiment.title = s.experiment?.file ?? "No experiment: the sliders start at SaliencyCut's defaults";
    const images = s.images;
    const useList = !!images?.files && images.count <= LIST_AT_MOST;
    this.list.hidden = !useList;
    this.index.hidden = !images || useList;
    this.indexLabel.hidden = this.index.hidden;
    this.prev.disabled = this.next.disabled = !images || images.count < 2;
    if (useList) this.fillList(s);
    else if (images) {
      if (document.activeElement !== this.index) this.index.value = s.selectionIndex >= 0 ? String(s.selectionIndex) : "";
      (this.index as HTMLElement).setAttribute("max", String(images.count - 1));
      this.indexLabel.textContent = `of ${images.count}${s.selectionLabel ? ` · ${s.selectionLabel}` : ""}`;
    }
    this.el.dataset.selection = s.selectionLabel ?? "";
    this.training.checked = s.training;
    this.training.disabled = !s.trainingChoice;
    this.training.hidden = !s.trainingChoice && !(s.selection?.kind === "index");
    if (images && (s.trainingChoice || s.selection?.kind === "index")) this.training.title = `Run on the pixels training sees (${images.width}×${images.height}), as the cache keys them`;
  }

  private fillList(s: PanelSettings): void {
    const images = s.images!;
    const outside = s.selectionIndex < 0 && s.selection?.kind === "file" ? s.selectionLabel ?? "" : "";
    const shape = JSON.stringify([images.labels, outside]);
    if (shape !== this.listShape) {
      this.listShape = shape;
      const options = images.labels.map((label, i) => h("vscode-option", { value: String(i) }, label));
      if (outside) options.unshift(h("vscode-option", { value: OUTSIDE, description: "not in the experiment's dataset" }, `${outside} (not in the dataset)`));
      this.list.replaceChildren(...options);
    }
    const value = s.selectionIndex >= 0 ? String(s.selectionIndex) : OUTSIDE;
    if (this.list.value !== value) this.list.value = value;
  }

  busy(on: boolean): void {
    this.ring.hidden = !on;
  }

  explored(r: ExploreResult, latencyMs?: number): void {
    const parts = [r.label, `${r.width}×${r.height}`, `${formatMs(r.totalMs)} in the worker`];
    if (latencyMs !== undefined) parts.push(`${formatMs(latencyMs)} after the change`);
    this.status.textContent = parts.join(" · ");
  }

  clearStatus(): void {
    this.status.textContent = "";
  }
}
