/**
 * The six pictures side by side (original, HC, RC, trimap, mask, region map),
 * each upscaled by one integer factor with nearest-neighbour so small images
 * are readable, and what the run measured: the stage timings, GrabCut's
 * rounds, the regions, and whether GrabCut fell back to the saliency object.
 */
import { TRIMAP_COLOURS, TRIMAP_NAMES, type ExploreImages, type ExploreResult } from "../../src/protocol/saliencyExplorer";
import { h } from "../augmentPreview/dom";
import { formatMs, percent, STAGE_NAMES, tileScale, tileTarget } from "./format";

type Name = keyof ExploreImages;

const TILES: { name: Name; label: string; title: string }[] = [
  { name: "original", label: "original", title: "The image SaliencyCut ran on" },
  { name: "hc", label: "HC map", title: "Histogram-contrast saliency: colour rarity over the whole image (white = salient)" },
  { name: "rc", label: "RC map", title: "Region-contrast saliency: graph-based regions, contrast weighted by spatial distance (white = salient)" },
  { name: "trimap", label: "trimap", title: "GrabCut's first trimap: the saliency map binarised at the threshold, eroded and dilated" },
  { name: "mask", label: "mask", title: "The salient object after iterated GrabCut (white)" },
  { name: "regions", label: "region map", title: "The object's regions and the background, recoloured: what training puts in place of the image" },
];

const rgb = (c: readonly number[]) => `rgb(${c.join(", ")})`;

export class Tiles {
  readonly el = h("div", { class: "tiles", "data-testid": "tiles", hidden: true });
  readonly facts = h("section", { class: "facts", "data-testid": "facts", hidden: true });
  private readonly tiles = new Map<Name, { el: HTMLElement; img: HTMLImageElement; note: HTMLElement }>();
  private size?: { width: number; height: number };

  constructor() {
    // The tiles follow the panel's width: a wider panel, bigger pictures.
    new ResizeObserver(() => this.layout()).observe(this.el);
    for (const t of TILES) {
      const img = h("img", { alt: t.label, "data-testid": `img-${t.name}` });
      const note = h("span", { class: "note", hidden: true });
      const caption = h("figcaption", {}, t.label, note);
      const el = h("figure", { class: `tile ${t.name}`, "data-testid": "tile", "data-name": t.name, title: t.title }, img, caption);
      if (t.name === "trimap") el.append(this.legend());
      this.tiles.set(t.name, { el, img, note });
      this.el.append(el);
    }
  }

  private legend(): HTMLElement {
    return h(
      "ul",
      { class: "legend", "data-testid": "trimap-legend" },
      ...TRIMAP_NAMES.map((name, v) => {
        const swatch = h("span", { class: "swatch" });
        // Through the CSSOM: the page's CSP allows no inline style attributes.
        swatch.style.background = rgb(TRIMAP_COLOURS[v]!);
        return h("li", {}, swatch, name);
      }),
    );
  }

  /** Sizes the pictures for the width the panel gives them. */
  private layout(): void {
    if (!this.size || this.el.hidden) return;
    const { width, height } = this.size;
    const scale = tileScale(width, height, tileTarget(this.el.clientWidth || this.el.parentElement?.clientWidth || 640));
    const w = Math.max(1, Math.round(width * scale));
    const h_ = Math.max(1, Math.round(height * scale));
    this.el.style.setProperty("--tile-width", `${w}px`);
    for (const { img } of this.tiles.values()) {
      img.width = w;
      img.height = h_;
    }
    this.el.dataset.scale = String(Math.round(scale * 1000) / 1000);
    // Enlarged: crisp pixels; shrunk: smoothed.
    this.el.classList.toggle("shrunk", scale < 1);
  }

  show(r: ExploreResult, latencyMs?: number): void {
    this.el.hidden = false;
    this.size = { width: r.width, height: r.height };
    this.layout();
    for (const t of TILES) {
      const tile = this.tiles.get(t.name)!;
      tile.img.src = `data:image/png;base64,${r.images[t.name]}`;
      const displayOnly = (r.displayOnly as string[]).includes(t.name);
      tile.el.classList.toggle("display-only", displayOnly);
      tile.note.hidden = !displayOnly;
      tile.note.textContent = displayOnly ? ` · not used (map: ${r.params.map})` : "";
    }
    const d = this.el.dataset;
    d.requestId = String(r.id);
    d.width = String(r.width);
    d.height = String(r.height);
    d.maskPixels = String(r.maskPixels);
    d.threshold = String(r.params.threshold);
    d.map = r.params.map;
    if (latencyMs !== undefined) d.latencyMs = String(Math.round(latencyMs));
    this.showFacts(r);
  }

  private showFacts(r: ExploreResult): void {
    const total = r.timings.reduce((s, t) => s + t.ms, 0);
    const rows = r.timings.map((t) =>
      h("tr", { "data-testid": "timing", "data-stage": t.stage, title: STAGE_NAMES[t.stage] ?? t.stage }, h("td", {}, t.stage), h("td", { class: "ms" }, formatMs(t.ms))),
    );
    this.facts.replaceChildren(
      h("h2", {}, "Stages"),
      h(
        "table",
        { class: "timings", "data-testid": "timings" },
        h("tbody", {}, h("tr", { title: "Reading the file (or the dataset image)" }, h("td", {}, "decode"), h("td", { class: "ms" }, formatMs(r.decodeMs))), ...rows),
        h("tfoot", {}, h("tr", {}, h("td", {}, "SaliencyCut"), h("td", { class: "ms", "data-testid": "total-ms" }, formatMs(total)))),
      ),
      h(
        "ul",
        { class: "numbers" },
        h("li", { "data-testid": "rounds" }, `${r.rounds} GrabCut round${r.rounds === 1 ? "" : "s"} (of at most ${r.params.iterations})`),
        h("li", { "data-testid": "salient" }, `${percent(r.maskPixels, r.width * r.height)} salient (${r.maskPixels} pixels)`),
        h("li", { "data-testid": "region-count" }, `${r.regionCount} region${r.regionCount === 1 ? "" : "s"} in the object`),
      ),
    );
    if (r.grabCutFellBack) {
      this.facts.append(h("p", { class: "fallback", "data-testid": "fell-back" }, "GrabCut fell back to the saliency object: its cut was empty, so the mask is the binarised saliency map's largest object."));
    }
    this.facts.hidden = false;
  }

  setStale(stale: boolean): void {
    this.el.classList.toggle("stale", stale);
  }

  hide(): void {
    this.el.hidden = true;
    this.facts.hidden = true;
  }
}
