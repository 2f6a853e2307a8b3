/**
 * What can be done with the selected checkpoint, and what became of each
 * action (the newest state per action, from the host).
 */
import type { BrowserAction, BrowserProtocol, CheckpointRow, PanelJob, PanelToHost } from "../../src/protocol/checkpointBrowser";
import { h } from "../augmentPreview/dom";

type ValueElement = HTMLElement & { value: string; disabled?: boolean };

function select(testid: string, options: [string, string][]): ValueElement {
  return h("vscode-single-select", { "data-testid": testid }, ...options.map(([value, label]) => h("vscode-option", { value }, label))) as ValueElement;
}

function button(testid: string, label: string, secondary = false): ValueElement {
  return h("vscode-button", { "data-testid": testid, secondary }, label) as ValueElement;
}

export class Actions {
  readonly el: HTMLElement;
  private readonly jobsEl = h("div", { class: "jobs", "data-testid": "jobs" });
  private readonly selectedEl = h("span", { class: "selected", "data-testid": "selected" });
  private readonly protocol = select("protocol", [
    ["knn", "kNN"],
    ["linear", "Linear probe"],
    ["rotation", "Rotation probe"],
  ]);
  private readonly trainable = select("trainable", [
    ["all", "all weights"],
    ["batchnorm", "BatchNorm only"],
  ]);
  private readonly count = h("vscode-textfield", { "data-testid": "count", type: "number", min: 1, placeholder: "all", class: "count", title: "Test images to embed (empty: the whole test split)" }) as ValueElement;
  private readonly buttons: Record<BrowserAction, ValueElement> = {
    evaluate: button("evaluate", "Evaluate now"),
    resume: button("resume", "Resume from here", true),
    newExperiment: button("new-experiment", "New experiment from here", true),
    exportModel: button("export-model", "Export TF.js model", true),
    exportEmbeddings: button("export-embeddings", "Export embeddings", true),
    neighbours: button("neighbours", "Nearest neighbours", true),
    reveal: button("reveal", "Reveal", true),
    delete: button("delete", "Delete…", true),
  };
  private readonly jobs = new Map<BrowserAction, HTMLElement>();
  private row?: CheckpointRow;

  constructor(private readonly send: (m: PanelToHost) => void) {
    const b = this.buttons;
    this.el = h(
      "section",
      { class: "actions", "data-testid": "actions" },
      h("div", { class: "action-row" }, h("span", { class: "label" }, "Selected:"), this.selectedEl),
      h("div", { class: "action-row" }, this.protocol, b.evaluate, h("span", { class: "gap" }), b.resume, this.trainable, b.newExperiment),
      h("div", { class: "action-row" }, b.exportModel, h("span", { class: "label" }, "images"), this.count, b.exportEmbeddings, b.neighbours, h("span", { class: "gap" }), b.reveal, b.delete),
      this.jobsEl,
    );
    for (const [action, el] of Object.entries(b) as [BrowserAction, ValueElement][]) el.addEventListener("click", () => this.clicked(action));
    this.setRow(undefined);
  }

  private clicked(action: BrowserAction): void {
    const row = this.row;
    if (!row || this.buttons[action].disabled) return;
    const checkpoint = row.dir;
    if (action === "evaluate") this.send({ type: "evaluate", checkpoint, protocol: this.protocol.value as BrowserProtocol });
    else if (action === "newExperiment") this.send({ type: "newExperiment", checkpoint, trainable: this.trainable.value === "batchnorm" ? "batchnorm" : "all" });
    else if (action === "exportEmbeddings") {
      const n = Number(this.count.value);
      this.send({ type: "exportEmbeddings", checkpoint, count: Number.isInteger(n) && n > 0 ? n : undefined });
    } else this.send({ type: action, checkpoint });
  }

  setRow(row: CheckpointRow | undefined): void {
    this.row = row;
    this.selectedEl.textContent = row ? `${row.runId} · ${row.label}` : "none";
    for (const el of Object.values(this.buttons)) el.disabled = !row;
    this.buttons.resume.disabled = !row?.resumable;
    this.buttons.resume.title = row && !row.resumable ? "The run is running, or has no epochs left after this checkpoint." : "";
    this.buttons.exportModel.disabled = !row || !!row.exportProblem;
    this.buttons.exportModel.title = row?.exportProblem ?? "model.json + weights.bin, for tf.loadLayersModel";
  }

  job(j: PanelJob): void {
    let el = this.jobs.get(j.action);
    if (!el) {
      el = h("div", { class: "job", "data-testid": "job", "data-action": j.action });
      this.jobs.set(j.action, el);
    }
    el.dataset.state = j.state;
    el.dataset.checkpoint = j.checkpoint;
    el.replaceChildren(h("span", { class: `state ${j.state}` }, j.state === "running" ? "…" : j.state === "done" ? "✓" : "✗"), " ", j.message);
    this.jobsEl.prepend(el);
  }
}
