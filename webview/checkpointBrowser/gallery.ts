/**
 * Pictures of what a checkpoint learnt: MAE's saved reconstructions at the
 * selected checkpoint, and the nearest training images of a few test images
 * in its embedding space.
 */
import type { GalleryImage, NeighbourGallery } from "../../src/protocol/checkpointBrowser";
import { h } from "../augmentPreview/dom";

const src = (png: string) => `data:image/png;base64,${png}`;

/** An image with its class on one line and, under it, the similarity or "query". */
function cell(img: GalleryImage, note: string, testid: string): HTMLElement {
  const name = img.label ?? `#${img.index}`;
  return h(
    "figure",
    { class: "cell", "data-testid": testid, "data-index": img.index, "data-label": img.label ?? "", title: `${img.split} image ${img.index}: ${name} (${note})` },
    h("img", { src: src(img.png), alt: `${img.split} image ${img.index}` }),
    h("figcaption", {}, h("span", {}, name), h("span", { class: "note" }, note)),
  );
}

export class Gallery {
  readonly el: HTMLElement;
  private readonly snapshotEl = h("section", { class: "snapshot", "data-testid": "snapshot", hidden: true });
  private readonly neighboursEl = h("section", { class: "neighbours", "data-testid": "gallery", hidden: true });

  constructor() {
    this.el = h("div", { class: "gallery" }, this.snapshotEl, this.neighboursEl);
  }

  snapshot(label: string, png: string | undefined): void {
    this.snapshotEl.hidden = !png;
    if (!png) return this.snapshotEl.replaceChildren();
    this.snapshotEl.replaceChildren(
      h("h2", {}, `Reconstructions at ${label}`),
      h("p", { class: "hint" }, "Each row: a test image, what the encoder saw (masked), and the decoder's reconstruction."),
      h("img", { class: "snapshot-img", src: src(png), alt: `MAE reconstructions at ${label}` }),
    );
  }

  neighbours(g: NeighbourGallery, label: string): void {
    this.neighboursEl.hidden = false;
    this.neighboursEl.dataset.checkpoint = g.checkpoint;
    this.neighboursEl.replaceChildren(
      h("h2", {}, `Nearest neighbours at ${label}`),
      h("p", { class: "hint" }, "Each row: a test image, then the training images closest to it by cosine similarity of backbone features."),
      ...g.queries.map((q) =>
        h(
          "div",
          { class: "gallery-row", "data-testid": "gallery-row" },
          cell(q.query, "query", "query"),
          ...q.neighbours.map((n) => cell(n, `cos ${n.similarity.toFixed(3)}`, "neighbour")),
        ),
      ),
    );
  }

  clearNeighbours(): void {
    this.neighboursEl.hidden = true;
    this.neighboursEl.replaceChildren();
  }
}
