/**
 * `ssl-studio bench step`: images/s of one SimCLR training step (ResNet-18,
 * width 1, batch 128, 32x32 RGB by default) on the chosen backend, the median
 * over measured steps after warm-up steps. Synthetic pixels: speed does not
 * depend on image content.
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../core/backend/select";
import { explainBackendError } from "../core/backend/explainError";
import type { BackendName, Method } from "../core/config/schema";
import { buildModel, disposeModel } from "../core/models/build";
import { createOptimizer } from "../core/optim";
import { trainStep } from "../trainer/trainStep";
import { syntheticDataset } from "./syntheticData";
import { experimentFromJson } from "./experimentFromJson";

export interface BenchStepOptions {
  backend: BackendName;
  backbone: "resnet18" | "convnet" | "vit";
  width: number;
  batch: number;
  size: number;
  warmup: number;
  steps: number;
  /** Default simclr. */
  method?: Method;
  /** Gradient-cache chunk (train.microBatch); undefined = whole batch. */
  microBatch?: number;
}

/** Chunk used on wasm when none is given: ResNet-18 at batch 128 needs more than its ~2 GB heap in one pass. */
const WASM_MICRO_BATCH = 32;

export async function benchStep(o: BenchStepOptions, log: (line: string) => void): Promise<{ backend: string; medianSeconds: number; imagesPerSec: number }> {
  const choice = await selectBackend(o.backend);
  if (choice.backend === "wasm" && o.microBatch === undefined && o.batch > WASM_MICRO_BATCH) {
    o = { ...o, microBatch: WASM_MICRO_BATCH };
    log(`wasm: its heap stops near 2 GB, so the batch is back-propagated in chunks of ${WASM_MICRO_BATCH} (--micro-batch to change)`);
  }
  const method = o.method ?? "simclr";
  const config = experimentFromJson({ method, imageSize: o.size, model: { backbone: o.backbone, width: o.width }, train: { batchSize: o.batch, microBatch: o.microBatch } }, "bench");
  const data = syntheticDataset(o.batch, o.size, 3);
  const model = buildModel(config, 3);
  const optimizer = createOptimizer(config.train.optimizer, { momentum: 0.9, weightDecay: 1e-6 });
  const indices = Int32Array.from({ length: o.batch }, (_, i) => i);
  log(
    `bench step: ${method} + ${o.backbone} (width ${o.width}), batch ${o.batch}${o.microBatch ? ` in chunks of ${o.microBatch}` : ""}, ${o.size}x${o.size}x3, backend ${choice.backend}`,
  );
  const times: number[] = [];
  try {
    for (let i = 0; i < o.warmup + o.steps; i++) {
      const t0 = performance.now();
      const loss = trainStep(model, optimizer, data, indices, { step: i, totalSteps: o.warmup + o.steps, epoch: i, stepsPerEpoch: 1 }, 0.1, config);
      await loss.data();
      loss.dispose();
      const seconds = (performance.now() - t0) / 1000;
      log(`  step ${i + 1}${i < o.warmup ? " (warm-up)" : ""}: ${seconds.toFixed(2)} s, ${(o.batch / seconds).toFixed(1)} images/s`);
      if (i >= o.warmup) times.push(seconds);
    }
  } catch (error) {
    throw new Error(explainBackendError(error, choice.backend));
  } finally {
    disposeModel(model);
    optimizer.dispose();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  log(`median: ${median.toFixed(3)} s/step = ${(o.batch / median).toFixed(1)} images/s (${tf.getBackend()})`);
  return { backend: choice.backend, medianSeconds: median, imagesPerSec: o.batch / median };
}
