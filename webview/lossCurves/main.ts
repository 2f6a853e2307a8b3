/**
 * The Loss Curves panel (webview). The host keeps the runs' full series and
 * answers each view this page asks for (protocol: src/protocol/lossCurves.ts)
 * with only the points the plot can show; the page draws them, and reports
 * what it drew.
 */
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-checkbox/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "./style.css";
import { metricById, X_AXIS_LABELS } from "../../src/core/curves/metrics";
import type { CurveView, HostToPanel, PanelToHost } from "../../src/protocol/lossCurves";
import { h } from "../augmentPreview/dom";
import { Chart } from "./chart";
import { RunList } from "./runList";
import { Toolbar } from "./toolbar";
import { post } from "./vscodeApi";

let view: CurveView | undefined;
/** The newest view asked for: older answers are not drawn. */
let newestId = 0;
let picked: string | undefined;

function ask(edit: Partial<CurveView>): void {
  if (!view) return;
  view = { ...view, ...edit, width: chart.width };
  post({ type: "view", id: ++newestId, view });
}

const chart = new Chart({
  range: (range) => ask({ range }),
  pick: (runDir) => {
    picked = runDir;
    chart.select(runDir);
    runList.pick(runDir);
    post({ type: "select", runDir });
  },
});
const toolbar = new Toolbar({
  change: (edit) => ask(edit),
  zoomOut: () => ask({ range: undefined }),
  exportCsv: () => post({ type: "exportCsv" }),
  exportPng: () => {
    const metric = view && metricById(view.metric);
    const png = chart.toPng(view && metric ? `${metric.label} by ${X_AXIS_LABELS[view.xAxis].toLowerCase()}` : "Loss curves");
    if (png) post({ type: "exportPng", dataUrl: png });
  },
});
const runList = new RunList({
  setRuns: (runDirs) => post({ type: "setRuns", runDirs } satisfies PanelToHost),
  act: (runDir, action) => post({ type: "runAction", runDir, action }),
});
const status = h("div", { class: "status", "data-testid": "status" });
const error = h("div", { class: "error", "data-testid": "error", hidden: true });

document.getElementById("app")!.replaceChildren(
  toolbar.el,
  h(
    "div",
    { class: "body" },
    h("aside", { class: "side" }, h("h2", {}, "Runs"), runList.el, runList.actions, runList.legend),
    h("main", { class: "content" }, error, chart.el, chart.readout, status),
  ),
);

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    chart.resize();
    if (view && Math.abs(view.width - chart.width) > 20) ask({});
  }, 100);
}).observe(chart.el);

// A theme change swaps VS Code's colour variables: the canvas is redrawn with the new ones.
const themeWatch = new MutationObserver(() => chart.redraw());
themeWatch.observe(document.body, { attributes: true, attributeFilter: ["class"] });
themeWatch.observe(document.documentElement, { attributes: true, attributeFilter: ["style"] });

window.addEventListener("message", (e: MessageEvent<HostToPanel>) => {
  const m = e.data;
  switch (m?.type) {
    case "runs":
      runList.update(m);
      runList.pick(picked);
      toolbar.setFields(m.colorFields, view?.colorBy);
      return;
    case "plot": {
      if (m.id !== 0 && m.id < newestId) return; // an answer to a view already replaced
      const started = performance.now();
      view = m.view;
      error.hidden = true;
      toolbar.update(m.view);
      if (picked && !m.runs.some((r) => r.runDir === picked)) picked = undefined;
      const points = chart.draw(m);
      runList.paint(m.runs, m.legend);
      const millis = performance.now() - started;
      const inRange = m.runs.reduce((n, r) => n + r.inRange, 0);
      status.textContent = m.runs.length
        ? `${m.runs.length} run${m.runs.length === 1 ? "" : "s"} · ${inRange.toLocaleString("en-US")} points in view · ${points.toLocaleString("en-US")} drawn · host ${m.millis.toFixed(0)} ms, page ${millis.toFixed(0)} ms`
        : "No run shown: tick runs on the left.";
      status.dataset.points = String(points);
      status.dataset.inRange = String(inRange);
      post({ type: "drawn", id: m.id, points, millis });
      if (m.runs.length && Math.abs(m.view.width - chart.width) > 20) ask({});
      return;
    }
    case "error":
      error.textContent = m.message;
      error.hidden = false;
      return;
  }
});

post({ type: "ready" });
