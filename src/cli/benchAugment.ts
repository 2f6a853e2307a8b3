/**
 * `ssl-studio bench augment`: images/s of the augmentation engine (a preset's
 * views of a batch, parameters drawn and pixels transformed, as training does
 * it) next to images/s of a whole SimCLR training step at the same size on the
 * same backend. Augmentation must never be what training waits for: the target
 * is at least 5x the step's rate.
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../core/backend/select";
import type { AugmentPreset } from "../core/config/augmentSchema";
import type { BackendName } from "../core/config/schema";
import { augmentBatch, viewInstances } from "../core/augment";
import { benchStep } from "./benchStep";
import { syntheticDataset } from "./syntheticData";

export interface BenchAugmentOptions {
  backend: BackendName;
  preset: AugmentPreset;
  batch: number;
  sizes: number[];
  warmup: number;
  steps: number;
  /** The model of the training step it is compared with. */
  backbone: "resnet18" | "convnet";
  width: number;
  /** Skip the training step (augmentation only). */
  noStep: boolean;
}

export const TARGET_RATIO = 5;
/** Batch of the comparison training step. */
const STEP_BATCH = 64;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median images/s of augmenting `batch` images (every view of each) at `size`. */
async function augmentRate(o: BenchAugmentOptions, size: number, log: (line: string) => void): Promise<number> {
  const data = syntheticDataset(o.batch, size, 3, size);
  const views = viewInstances({ imageSize: size, method: "simclr", augment: { preset: o.preset } });
  const indices = Int32Array.from({ length: o.batch }, (_, i) => i);
  const times: number[] = [];
  for (let i = 0; i < o.warmup + o.steps; i++) {
    const t0 = performance.now();
    const out = augmentBatch(data, indices, { seed: 0, epoch: i, epochs: 100 }, views).views;
    await Promise.all(out.map((t) => t.data()));
    out.forEach((t) => t.dispose());
    const seconds = (performance.now() - t0) / 1000;
    if (i >= o.warmup) times.push(seconds);
  }
  const rate = o.batch / median(times);
  log(`  augment ${size}x${size}: median ${(median(times) * 1000).toFixed(0)} ms per batch of ${o.batch} (${views.length} views each) = ${rate.toFixed(0)} images/s`);
  return rate;
}

export interface AugmentBenchRow {
  size: number;
  augmentPerSec: number;
  stepPerSec?: number;
}

export async function benchAugment(o: BenchAugmentOptions, log: (line: string) => void): Promise<AugmentBenchRow[]> {
  const choice = await selectBackend(o.backend);
  log(`bench augment: preset ${o.preset}, batch ${o.batch}, backend ${choice.backend}`);
  const rows: AugmentBenchRow[] = [];
  for (const size of o.sizes) {
    const augmentPerSec = await augmentRate(o, size, log);
    const row: AugmentBenchRow = { size, augmentPerSec };
    if (!o.noStep) {
      // A step's images/s hardly depends on the batch; a smaller one keeps large images inside the wasm heap.
      const batch = Math.min(o.batch, STEP_BATCH);
      const microBatch = choice.backend === "wasm" ? (size > 48 ? 16 : 32) : undefined;
      const step = await benchStep(
        { backend: choice.backend as BackendName, backbone: o.backbone, width: o.width, batch, size, warmup: 1, steps: Math.min(o.steps, 2), microBatch },
        (line) => log(`  ${line}`),
      );
      row.stepPerSec = step.imagesPerSec;
    }
    rows.push(row);
  }
  log("");
  log(`training step: simclr + ${o.backbone} width ${o.width}, batch ${Math.min(o.batch, STEP_BATCH)}; target: augment >= ${TARGET_RATIO}x the step`);
  log("size     augment img/s   step img/s   augment/step");
  for (const r of rows) {
    const ratio = r.stepPerSec === undefined ? undefined : r.augmentPerSec / r.stepPerSec;
    const verdict = ratio === undefined ? "" : ratio >= TARGET_RATIO ? "  met" : "  MISSED";
    const cells = [`${r.size}x${r.size}`.padEnd(8), r.augmentPerSec.toFixed(0).padStart(14), (r.stepPerSec?.toFixed(1) ?? "-").padStart(12), (ratio === undefined ? "-" : `${ratio.toFixed(1)}x`).padStart(14)];
    log(cells.join(" ") + verdict);
  }
  log(`(${tf.getBackend()} backend)`);
  return rows;
}
