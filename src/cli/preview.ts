/**
 * `ssl-studio preview`: the augmentation preview as a PNG grid, the terminal
 * twin of the editor's panel. Same images, same draws, same pixels: one row per
 * training image, its original then each view.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadExperiment } from "../core/config/load";
import type { BackendName } from "../core/config/schema";
import { selectBackend } from "../core/backend/select";
import { renderPreview } from "../core/augment/preview";
import { PreviewData } from "../core/augment/previewData";
import { withPreviewRegionMaps } from "../core/saliency/regionMaps";
import { composeGrid, type GridLayout } from "../core/augment/previewGrid";

export interface PreviewCliOptions {
  experimentFile: string;
  out: string;
  /** Default: the config's seed (what training sees). */
  seed?: number;
  count: number;
  epoch: number;
  /** Default: the smallest integer scale giving cells of at least 96 px. */
  scale?: number;
  /** Overrides the config's backend. */
  backend?: BackendName;
}

export interface PreviewCliResult {
  out: string;
  layout: GridLayout;
  indices: number[];
  labels: string[];
}

export async function previewGrid(opts: PreviewCliOptions, log: (line: string) => void): Promise<PreviewCliResult> {
  const exp = loadExperiment(opts.experimentFile);
  const config = exp.config;
  if (opts.epoch >= config.train.epochs) {
    throw new Error(`--epoch ${opts.epoch} is past the last epoch (${config.train.epochs - 1}) of train.epochs = ${config.train.epochs}`);
  }
  const seed = opts.seed ?? config.seed;
  const choice = await selectBackend(opts.backend ?? config.backend);
  const { data, indices: shown } = await new PreviewData().pick(config, path.dirname(exp.file), seed, opts.count);
  const pixels = await withPreviewRegionMaps(config, exp.file, data, shown, (regionMap) => renderPreview(data, config, { seed, count: opts.count, epoch: opts.epoch, regionMap }));
  const { png, layout } = await composeGrid(
    pixels.images.map((img) => [img.original, ...img.views.map((v) => v.tile)]),
    { scale: opts.scale },
  );
  const out = path.resolve(opts.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, png);

  const indices = pixels.images.map((img) => img.index);
  const labels = ["original", ...(pixels.images[0]?.views.map((v) => v.label) ?? [])];
  log(`wrote ${out} (${layout.width}x${layout.height} px, backend ${choice.backend}, seed ${seed}, epoch ${opts.epoch})`);
  log(`  rows: ${layout.rows} training images, indices ${indices.join(", ")}`);
  log(`  columns: ${layout.columns}: ${labels.join(", ")}`);
  log(`  cells: ${layout.cell}x${layout.cell} px (tiles scaled ${layout.scale}x, nearest neighbour), gap ${layout.gap} px`);
  return { out, layout, indices, labels };
}
