/**
 * The panel's top bar: seed (and Resample), image count, epoch, the render
 * status with its progress ring, and Apply to file / Discard for the draft.
 */
import type { HostToPanel, PanelToHost, PreviewResult } from "../../src/protocol/augmentPreview";
import { h } from "./dom";

type Settings = Extract<HostToPanel, { type: "settings" }>;
type TextField = HTMLElement & { value: string };
type Button = HTMLElement & { disabled: boolean };

export class Toolbar {
  readonly el: HTMLElement;
  private readonly file = h("span", { class: "file", "data-testid": "file" });
  private readonly seed = h("vscode-textfield", { type: "number", min: 0, step: 1, "data-testid": "seed", "aria-label": "Seed", class: "number" }) as TextField;
  private readonly count = h("vscode-textfield", { type: "number", min: 1, max: 64, step: 1, "data-testid": "count", "aria-label": "Images", class: "number" }) as TextField;
  private readonly epoch = h("input", { type: "range", min: 0, max: 0, step: 1, value: 0, "data-testid": "epoch", "aria-label": "Epoch" });
  private readonly epochValue = h("output", { class: "value", "data-testid": "epoch-value" });
  private readonly ring = h("vscode-progress-ring", { "data-testid": "progress", "aria-label": "Rendering", hidden: true });
  private readonly status = h("span", { class: "status", "data-testid": "status" });
  private readonly apply = h("vscode-button", { "data-testid": "apply", disabled: true, title: "Write the edited ops into the file's augment.views (undo with Ctrl+Z in the editor)" }, "Apply to file") as Button;
  private readonly discard = h("vscode-button", { "data-testid": "discard", secondary: true, disabled: true, title: "Drop the edits: show the file's policy again" }, "Discard") as Button;
  private readonly draftBadge = h("vscode-badge", { "data-testid": "draft", hidden: true, title: "The ops differ from the file" }, "draft");
  private epochs = 1;

  constructor(send: (m: PanelToHost) => void, onDiscard: () => void) {
    const resample = h("vscode-button", { secondary: true, "data-testid": "resample", title: "Next seed: new images and new draws" }, "Resample");
    this.el = h(
      "header",
      { class: "toolbar", "data-testid": "toolbar" },
      this.file,
      h("label", { class: "field" }, h("span", {}, "Seed"), this.seed),
      resample,
      h("label", { class: "field" }, h("span", {}, "Images"), this.count),
      h("label", { class: "field epoch" }, h("span", {}, "Epoch"), this.epoch, this.epochValue),
      h("span", { class: "spacer" }),
      this.ring,
      this.status,
      h("span", { class: "actions" }, this.draftBadge, this.apply, this.discard),
    );
    const int = (s: string) => (/^\s*\d+\s*$/.test(s) ? Number(s) : undefined);
    this.seed.addEventListener("change", () => {
      const seed = int(this.seed.value);
      if (seed !== undefined) send({ type: "setSeed", seed });
    });
    this.count.addEventListener("change", () => {
      const count = int(this.count.value);
      if (count !== undefined && count >= 1) send({ type: "setCount", count });
    });
    this.epoch.addEventListener("input", () => this.showEpoch(Number(this.epoch.value)));
    this.epoch.addEventListener("change", () => send({ type: "setEpoch", epoch: Number(this.epoch.value) }));
    resample.addEventListener("click", () => send({ type: "resample" }));
    this.apply.addEventListener("click", () => !this.apply.disabled && send({ type: "writeBack" }));
    this.discard.addEventListener("click", () => {
      if (this.discard.disabled) return;
      onDiscard();
      send({ type: "discardDraft" });
    });
  }

  private showEpoch(epoch: number): void {
    this.epochValue.textContent = `${epoch} of ${this.epochs}`;
  }

  settings(s: Settings): void {
    const name = s.file.split(/[\\/]/).pop() ?? s.file;
    this.file.textContent = name;
    this.file.title = s.file;
    // Never overwrite what the person is typing.
    const active = document.activeElement;
    if (active !== this.seed) this.seed.value = String(s.seed);
    if (active !== this.count) this.count.value = String(s.count);
    this.epochs = s.epochs;
    this.epoch.max = String(Math.max(0, s.epochs - 1));
    this.epoch.disabled = s.epochs <= 1;
    this.epoch.value = String(s.epoch);
    this.showEpoch(s.epoch);
    this.apply.disabled = !s.draft;
    this.discard.disabled = !s.draft;
    this.draftBadge.hidden = !s.draft;
  }

  rendering(busy: boolean): void {
    this.ring.hidden = !busy;
  }

  rendered(r: PreviewResult, latencyMs?: number): void {
    const views = r.images[0]?.views.length ?? 0;
    const parts = [`${r.images.length} image${r.images.length === 1 ? "" : "s"} × ${views} view${views === 1 ? "" : "s"}`, `${r.milliseconds} ms`, r.backend];
    if (latencyMs !== undefined) parts.push(`${Math.round(latencyMs)} ms after the edit`);
    this.status.textContent = parts.join(" · ");
  }

  clearStatus(): void {
    this.status.textContent = "";
  }
}
