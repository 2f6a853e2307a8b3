/**
 * The augmentation preview panel (webview). Renders what the extension host
 * sends (protocol: src/protocol/augmentPreview.ts) and sends back the
 * person's settings and op edits; the host keeps the state.
 */
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-checkbox/index.js";
import "@vscode-elements/elements/dist/vscode-progress-ring/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import "./style.css";
import type { HostToPanel, PanelToHost } from "../../src/protocol/augmentPreview";
import { OpControls } from "./controls";
import { h } from "./dom";
import { Grid } from "./grid";
import { Problems } from "./issues";
import { Toolbar } from "./toolbar";
import { post } from "./vscodeApi";

/** When the person last changed something that re-renders: the grid reports how long the new one took to arrive. */
let lastChangeAt: number | undefined;

function send(m: PanelToHost): void {
  if (m.type !== "ready" && m.type !== "writeBack") lastChangeAt = performance.now();
  post(m);
}

const grid = new Grid();
const problems = new Problems();
const controls = new OpControls(send);
const toolbar = new Toolbar(send, () => controls.clearPending());

const app = document.getElementById("app")!;
app.replaceChildren(
  toolbar.el,
  h("div", { class: "body" }, h("aside", { class: "side" }, h("h2", {}, "Ops"), controls.el), h("main", { class: "content" }, problems.el, grid.el)),
  grid.trace,
);

window.addEventListener("message", (e: MessageEvent<HostToPanel>) => {
  const m = e.data;
  switch (m?.type) {
    case "settings":
      toolbar.settings(m);
      return;
    case "rendering":
      toolbar.rendering(true);
      grid.setStale(true);
      app.dataset.state = "rendering";
      return;
    case "rendered": {
      const latency = lastChangeAt === undefined ? undefined : performance.now() - lastChangeAt;
      lastChangeAt = undefined;
      toolbar.rendering(false);
      problems.clear();
      grid.show(m.result);
      grid.setStale(false);
      if (latency !== undefined) grid.el.dataset.latencyMs = String(Math.round(latency));
      controls.update(m.result.views);
      toolbar.rendered(m.result, latency);
      app.dataset.state = "rendered";
      return;
    }
    case "invalid":
      toolbar.rendering(false);
      toolbar.clearStatus();
      grid.hide();
      problems.showIssues(m.issues);
      app.dataset.state = "invalid";
      return;
    case "failed":
      toolbar.rendering(false);
      // The last grid stays, dimmed, under the error.
      grid.setStale(true);
      problems.showError(m.error);
      app.dataset.state = "failed";
      return;
  }
});

send({ type: "ready" });
