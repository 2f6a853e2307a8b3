/**
 * The Saliency Explorer panel (webview). Shows what the extension host sends
 * (protocol: src/protocol/saliencyExplorer.ts) and sends back the person's
 * choices; the host keeps the state and talks to the worker.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-checkbox/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-progress-bar/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import "./style.css";
import type { HostToPanel, PanelToHost } from "../../src/protocol/saliencyExplorer";
import { h } from "../augmentPreview/dom";
import { CachePanel } from "./cache";
import { Controls } from "./controls";
import { Header } from "./header";
import { Problems } from "./problems";
import { Tiles } from "./tiles";
import { post } from "./vscodeApi";

/** When the person last changed something that re-runs: the status says how long the answer took. */
let lastChangeAt: number | undefined;
/** The newest request the host started: older answers are not shown. */
let newestId = 0;

function send(m: PanelToHost): void {
  if (m.type === "select" || m.type === "setParams" || m.type === "resetParams" || m.type === "setTraining" || m.type === "recolour") lastChangeAt = performance.now();
  post(m);
}

const header = new Header(send);
const controls = new Controls(send);
const tiles = new Tiles();
const problems = new Problems(send);
const cache = new CachePanel(send);
const placeholder = h("p", { class: "placeholder", "data-testid": "placeholder" }, "Choose an image: one of the experiment's, or any PNG/JPEG with “Open image…”.");

const app = document.getElementById("app")!;
app.replaceChildren(
  header.el,
  h(
    "div",
    { class: "body" },
    h("aside", { class: "side" }, h("h2", {}, "SaliencyCut settings"), controls.el, tiles.facts, cache.el),
    h("main", { class: "content" }, problems.issuesEl, problems.errorEl, placeholder, tiles.el),
  ),
);

window.addEventListener("message", (e: MessageEvent<HostToPanel>) => {
  const m = e.data;
  switch (m?.type) {
    case "settings":
      header.update(m);
      controls.update(m);
      cache.setVisible(!!m.experiment);
      placeholder.hidden = !!m.selection;
      return;
    case "exploring":
      newestId = Math.max(newestId, m.id);
      header.busy(true);
      tiles.setStale(true);
      app.dataset.state = "exploring";
      return;
    case "explored": {
      if (m.result.id < newestId) return; // an answer to an older request
      const latency = lastChangeAt === undefined ? undefined : performance.now() - lastChangeAt;
      lastChangeAt = undefined;
      header.busy(false);
      problems.clearError();
      placeholder.hidden = true;
      tiles.show(m.result, latency);
      tiles.setStale(false);
      header.explored(m.result, latency);
      app.dataset.state = "explored";
      return;
    }
    case "failed":
      if (m.id !== undefined && m.id < newestId) return;
      header.busy(false);
      header.clearStatus();
      // The last pictures stay, dimmed, under the error.
      tiles.setStale(true);
      problems.showError(m.error);
      app.dataset.state = "failed";
      return;
    case "issues":
      problems.showIssues(m.issues);
      app.dataset.issues = String(m.issues.length);
      return;
    case "stats":
      cache.stats(m);
      return;
    case "build":
      cache.buildUpdate(m);
      return;
  }
});

send({ type: "ready" });
