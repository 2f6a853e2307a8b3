/**
 * The runs beside the plot: every run of the workspace's experiments, with
 * a check box to overlay it; the shown ones carry their colour (the legend).
 * Below it, the picked run's actions and the colour-by legend.
 */
import type { ColorLegend, HostToPanel, PanelRun, PlotRun, RunAction } from "../../src/protocol/lossCurves";
import { h } from "../augmentPreview/dom";
import { gradient, palette, runColor, swatch } from "./colors";

type Checkbox = HTMLElement & { checked: boolean };

export interface RunListEvents {
  setRuns(runDirs: string[]): void;
  act(runDir: string, action: RunAction): void;
}

const STATE_ICON: Record<PanelRun["state"], string> = { running: "●", finished: "✓", stopped: "■", failed: "✕", interrupted: "!", unknown: "?" };

export class RunList {
  readonly el = h("div", { class: "runs", "data-testid": "runs" });
  readonly actions = h("div", { class: "actions", "data-testid": "run-actions", hidden: true });
  readonly legend = h("div", { class: "legend", "data-testid": "legend" });
  private runs: PanelRun[] = [];

  constructor(private readonly events: RunListEvents) {}

  update(m: Extract<HostToPanel, { type: "runs" }>): void {
    this.runs = m.runs;
    const byExperiment = new Map<string, PanelRun[]>();
    for (const r of m.runs) byExperiment.set(r.experiment, [...(byExperiment.get(r.experiment) ?? []), r]);
    this.el.replaceChildren(
      ...(m.runs.length ? [] : [h("p", { class: "hint" }, "No runs yet: pretrain an experiment and its run appears here.")]),
      ...[...byExperiment].map(([experiment, runs]) =>
        h(
          "div",
          { class: "experiment" },
          h("div", { class: "experiment-name" }, experiment),
          ...runs.map((r) => {
            const box = h("vscode-checkbox", { "data-testid": "run-checkbox", "data-run": r.runDir, label: r.runId, checked: r.shown }) as Checkbox;
            box.addEventListener("change", () => this.events.setRuns(this.checked()));
            return h("div", { class: `run state-${r.state}`, "data-run": r.runDir }, h("span", { class: "swatch" }), box, h("span", { class: "state", title: r.state }, STATE_ICON[r.state]));
          }),
        ),
      ),
    );
  }

  private checked(): string[] {
    return [...this.el.querySelectorAll<Checkbox>("vscode-checkbox")].filter((b) => b.checked).map((b) => b.dataset.run!);
  }

  /** Colours of the plotted runs on their rows; the legend of the colour-by field. */
  paint(runs: PlotRun[], legend: ColorLegend | undefined): void {
    const colors = palette();
    for (const row of this.el.querySelectorAll<HTMLElement>(".run")) {
      const plotted = runs.find((r) => r.runDir === row.dataset.run);
      const swatch = row.querySelector<HTMLElement>(".swatch")!;
      swatch.style.background = plotted ? runColor(plotted.color, colors) : "transparent";
      row.classList.toggle("live", !!plotted?.live);
    }
    if (!legend) return void this.legend.replaceChildren();
    const title = h("div", { class: "legend-title" }, `Colour: ${legend.field}`);
    if (legend.range) {
      const bar = h("div", { class: "gradient" });
      bar.style.background = `linear-gradient(to right, ${gradient(0)}, ${gradient(1)})`;
      this.legend.replaceChildren(title, bar, h("div", { class: "gradient-labels" }, h("span", {}, String(legend.range[0])), h("span", {}, String(legend.range[1]))));
    } else {
      this.legend.replaceChildren(
        title,
        ...(legend.categories ?? []).map((c, i) => h("div", { class: "legend-row" }, swatch(runColor({ category: i }, colors)), c)),
      );
    }
  }

  /** The picked run: highlighted in the list, with its actions. */
  pick(runDir: string | undefined): void {
    for (const row of this.el.querySelectorAll<HTMLElement>(".run")) row.classList.toggle("picked", row.dataset.run === runDir);
    const run = this.runs.find((r) => r.runDir === runDir);
    this.actions.hidden = !run;
    if (!run) return;
    const button = (text: string, action: RunAction) => {
      const b = h("vscode-button", { secondary: true, "data-testid": `action-${action}` }, text);
      b.addEventListener("click", () => this.events.act(run.runDir, action));
      return b;
    };
    this.actions.replaceChildren(
      h("div", { class: "picked-name", "data-testid": "picked-run" }, `${run.experiment}/${run.runId}`),
      button("Reveal in tree", "reveal"),
      button("Checkpoints", "checkpoints"),
      button("Open folder", "openFolder"),
    );
  }
}
