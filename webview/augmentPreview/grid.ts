/**
 * The grid: one row per training image, its original then each view, every
 * tile upscaled by one integer factor with nearest-neighbour (pixelated), in
 * square cells like the CLI's PNG. Hovering (or focusing) a view shows the
 * ops that fired with their drawn parameters.
 */
import type { PreviewImage, PreviewResult } from "../../src/protocol/augmentPreview";
import { h } from "./dom";
import { pngSize, upscale } from "./opControls";
import { describeTrace } from "./trace";

interface Cell {
  el: HTMLElement;
  img: HTMLImageElement;
}

export class Grid {
  readonly el = h("div", { class: "grid", "data-testid": "grid", hidden: true });
  readonly trace = h("aside", { class: "trace", "data-testid": "trace", role: "tooltip", hidden: true });
  private cells: Cell[][] = [];
  private shape = "";
  private images: PreviewImage[] = [];
  private hovered?: { row: number; col: number; anchor: HTMLElement };

  show(result: PreviewResult): void {
    this.images = result.images;
    const labels = ["original", ...(result.images[0]?.views.map((v) => v.label) ?? [])];
    const sizes = result.images.map((img) => [pngSize(img.original), ...img.views.map((v) => pngSize(v.png))]);
    const side = Math.max(1, ...sizes.flat().flatMap((s) => [s.width, s.height]));
    const scale = upscale(side);
    const shape = JSON.stringify({ labels, rows: result.images.length, side, scale });
    if (shape !== this.shape) this.build(labels, result.images.length, side * scale);
    this.shape = shape;
    this.el.dataset.scale = String(scale);
    this.el.dataset.rows = String(result.images.length);
    this.el.dataset.columns = String(labels.length);
    this.el.dataset.requestId = String(result.id);
    result.images.forEach((img, r) => {
      const pngs = [img.original, ...img.views.map((v) => v.png)];
      pngs.forEach((png, c) => {
        const cell = this.cells[r]![c]!;
        const { width, height } = sizes[r]![c]!;
        cell.img.src = `data:image/png;base64,${png}`;
        cell.img.width = width * scale;
        cell.img.height = height * scale;
        cell.img.alt = c === 0 ? `training image ${img.index}` : `${labels[c]} of training image ${img.index}`;
        cell.el.dataset.index = String(img.index);
      });
    });
    this.el.hidden = false;
    if (this.hovered) this.showTrace(this.hovered.row, this.hovered.col, this.hovered.anchor);
  }

  /** Dimmed while a newer render is on its way. */
  setStale(stale: boolean): void {
    this.el.classList.toggle("stale", stale);
  }

  hide(): void {
    this.el.hidden = true;
    this.hideTrace();
  }

  private build(labels: string[], rows: number, cell: number): void {
    this.el.style.setProperty("--cell", `${cell}px`);
    this.el.style.setProperty("--columns", String(labels.length));
    const header = labels.map((l, c) => h("div", { class: `label${c === 0 ? " original" : ""}`, "data-testid": "column-label" }, l));
    this.cells = [];
    const body: HTMLElement[] = [];
    for (let r = 0; r < rows; r++) {
      const row: Cell[] = [];
      for (let c = 0; c < labels.length; c++) {
        const img = h("img", { draggable: "false" });
        const el = h("div", { class: `cell${c === 0 ? " original" : ""}`, "data-testid": "tile", "data-row": r, "data-col": c, tabindex: 0 }, img);
        el.addEventListener("mouseenter", () => this.showTrace(r, c, el));
        el.addEventListener("focus", () => this.showTrace(r, c, el));
        el.addEventListener("mouseleave", () => this.hideTrace());
        el.addEventListener("blur", () => this.hideTrace());
        row.push({ el, img });
        body.push(el);
      }
      this.cells.push(row);
    }
    this.el.replaceChildren(...header, ...body);
  }

  private showTrace(row: number, col: number, anchor: HTMLElement): void {
    const img = this.images[row];
    if (!img) return this.hideTrace();
    this.hovered = { row, col, anchor };
    const view = col > 0 ? img.views[col - 1] : undefined;
    const title = view ? `${view.label} · training image ${img.index}` : `training image ${img.index} (original)`;
    const lines = view ? describeTrace(view.trace) : ["as decoded, before augmentation"];
    this.trace.replaceChildren(h("div", { class: "trace-title" }, title), h("ul", {}, ...lines.map((l) => h("li", { "data-testid": "trace-op" }, l))));
    this.trace.hidden = false;
    // Beside the tile, on whichever side has room.
    const box = anchor.getBoundingClientRect();
    const tip = this.trace.getBoundingClientRect();
    const right = box.right + 8 + tip.width <= window.innerWidth;
    this.trace.style.left = `${Math.max(4, right ? box.right + 8 : box.left - 8 - tip.width)}px`;
    this.trace.style.top = `${Math.max(4, Math.min(box.top, window.innerHeight - tip.height - 4))}px`;
  }

  private hideTrace(): void {
    this.hovered = undefined;
    this.trace.hidden = true;
  }
}
