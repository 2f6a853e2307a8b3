/**
 * The Checkpoint Browser panel (webview). Shows what the extension host
 * sends (protocol: src/protocol/checkpointBrowser.ts) and sends back the
 * person's choices; the host reads the runs and runs the actions.
 */
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-option/index.js";
import "@vscode-elements/elements/dist/vscode-single-select/index.js";
import "@vscode-elements/elements/dist/vscode-textfield/index.js";
import "./style.css";
import type { HostToPanel, NeighbourGallery, PanelToHost } from "../../src/protocol/checkpointBrowser";
import { h } from "../augmentPreview/dom";
import { Actions } from "./actions";
import { Gallery } from "./gallery";
import { Table } from "./table";
import { post } from "./vscodeApi";

const send = (m: PanelToHost) => post(m);
const title = h("h1", { class: "title", "data-testid": "title" }, "Checkpoints");
const refresh = h("vscode-button", { "data-testid": "refresh", secondary: true, title: "Read the run folders again" }, "Refresh");
refresh.addEventListener("click", () => send({ type: "refresh" }));
const actions = new Actions(send);
const gallery = new Gallery();
const table = new Table((row) => {
  actions.setRow(row);
  send({ type: "select", checkpoint: row.dir });
});
let shownGallery: NeighbourGallery | undefined;

const app = document.getElementById("app")!;
app.replaceChildren(h("header", { class: "toolbar" }, title, h("span", { class: "spacer" }), refresh), h("main", { class: "content" }, table.el, actions.el, gallery.el));

window.addEventListener("message", (e: MessageEvent<HostToPanel>) => {
  const m = e.data;
  switch (m?.type) {
    case "table":
      title.textContent = m.title;
      table.show(m);
      actions.setRow(table.selectedRow);
      app.dataset.rows = String(m.rows.length);
      if (shownGallery && !m.rows.some((r) => r.dir === shownGallery!.checkpoint)) {
        shownGallery = undefined;
        gallery.clearNeighbours();
      }
      return;
    case "job":
      actions.job(m);
      return;
    case "snapshot":
      gallery.snapshot(m.label, m.png);
      return;
    case "gallery": {
      shownGallery = m.gallery;
      const row = table.selectedRow?.dir === m.gallery.checkpoint ? table.selectedRow : undefined;
      gallery.neighbours(m.gallery, row ? `${row.runId} · ${row.label}` : m.gallery.checkpoint);
      return;
    }
  }
});

send({ type: "ready" });
