/**
 * `ssl-studio bench saliency`: SaliencyCut's quality and speed targets.
 * - Quality: mean IoU of the mask on scenes with a known object (saliencyScenes.ts), target >= 0.8.
 * - Speed, one core (this thread): full SaliencyCut at 600x450 <= 2 s, at 96x96 <= 50 ms.
 * - Cache lookup <= 1 ms per image, from memory and from disk.
 * - A training step with the saliencyCut op at p = 1 at >= 90% of the images/s of the same step without it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../core/backend/select";
import { PRESETS } from "../core/augment/presets";
import { defaultSaliencyConfig, saliencyParams, type SaliencyParams } from "../core/config/saliencySchema";
import type { BackendName } from "../core/config/schema";
import type { ImageDataset } from "../core/data/dataset";
import { buildModel, disposeModel } from "../core/models/build";
import { createOptimizer } from "../core/optim";
import { buildCache } from "../core/saliency/cache/build";
import { datasetImage } from "../core/saliency/cache/datasetImage";
import { pixelHash } from "../core/saliency/cache/key";
import { openSaliencyCache } from "../core/saliency/cache/lookup";
import { openRegionMaps } from "../core/saliency/regionMaps";
import { saliencyCut } from "../core/saliency/saliencyCut";
import { trainStep } from "../trainer/trainStep";
import { experimentFromJson } from "./experimentFromJson";
import { iou, saliencyScenes, sceneFixtures, type Scene } from "./saliencyScenes";

export interface BenchSaliencyOptions {
  /** Scenes per size for IoU and timing. */
  scenes: number;
  backend: BackendName;
  /** Measured training steps (after one warm-up) per policy. */
  steps: number;
  workers: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");

async function qualityAndSpeed(scenes: Scene[], params: SaliencyParams, label: string, targetMs: number, log: (line: string) => void): Promise<{ meanIou: number; medianMs: number }> {
  const ious: number[] = [];
  const totals: number[] = [];
  const stages = new Map<string, number[]>();
  for (const s of scenes) {
    const t0 = performance.now();
    const r = await saliencyCut(s.image, params);
    totals.push(performance.now() - t0);
    ious.push(iou(r.mask, s.truth));
    for (const t of r.timings) stages.set(t.stage, [...(stages.get(t.stage) ?? []), t.ms]);
  }
  // The first call loads OpenCV and warms the JIT: not a per-image cost.
  const warm = totals.slice(1);
  const meanIou = mean(ious);
  log(`${label}: ${scenes.length} scenes, mean IoU ${meanIou.toFixed(3)} (min ${Math.min(...ious).toFixed(3)}) [target >= 0.8: ${verdict(meanIou >= 0.8)}]`);
  log(`  time per image: median ${median(warm).toFixed(0)} ms, max ${Math.max(...warm).toFixed(0)} ms [target <= ${targetMs} ms: ${verdict(median(warm) <= targetMs)}]`);
  log(`  median per stage: ${[...stages].map(([stage, ms]) => `${stage} ${median(ms.slice(1)).toFixed(1)} ms`).join(", ")}`);
  return { meanIou, medianMs: median(warm) };
}

function scenesDataset(scenes: Scene[]): ImageDataset {
  const { width, height } = scenes[0]!.image;
  const pixels = new Uint8Array(scenes.length * width * height * 3);
  scenes.forEach((s, i) => pixels.set(s.image.data, i * width * height * 3));
  return { source: "bench scenes", count: scenes.length, width, height, channels: 3, pixels };
}

function lookupSpeed(dir: string, params: SaliencyParams, data: ImageDataset, log: (line: string) => void): void {
  const hashes = Array.from({ length: data.count }, (_, i) => pixelHash(datasetImage(data, i)));
  for (const memoryMB of [512, 0]) {
    const reader = openSaliencyCache(dir, params, { memoryMB });
    const times: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const h of hashes) {
        const t0 = performance.now();
        if (!reader.get(h)) throw new Error("bench: a cached entry was not found");
        times.push(performance.now() - t0);
      }
    }
    reader.close();
    log(`  lookup from ${reader.mode}: median ${median(times).toFixed(4)} ms, max ${Math.max(...times).toFixed(3)} ms per image [target <= 1 ms: ${verdict(median(times) <= 1)}]`);
  }
}

async function trainingRate(data: ImageDataset, cacheDir: string, o: BenchSaliencyOptions, log: (line: string) => void): Promise<void> {
  const batch = Math.min(32, data.count);
  const rate = async (withOp: boolean) => {
    const simclr = PRESETS.simclr[0]!.ops;
    const ops = withOp ? [{ op: "saliencyCut", p: 1 }, ...simclr] : simclr;
    const config = experimentFromJson(
      {
        imageSize: data.width,
        model: { backbone: "convnet", width: 0.5, projectorHidden: 128, projectorOut: 64 },
        augment: { views: [{ name: "view", count: 2, ops }] },
        saliency: { cache: { dir: cacheDir } },
        train: { batchSize: batch, optimizer: "adam", lr: 1e-3 },
      },
      "bench",
    );
    const maps = await openRegionMaps(config, cacheDir, data, { onMiss: "error", buildCommand: "bench" });
    const model = buildModel(config, 3);
    const optimizer = createOptimizer("adam", { momentum: 0.9, weightDecay: 0 });
    const times: number[] = [];
    try {
      for (let i = 0; i <= o.steps; i++) {
        const indices = Int32Array.from({ length: batch }, (_, k) => (i * batch + k) % data.count);
        const t0 = performance.now();
        const loss = trainStep(model, optimizer, data, indices, { step: i, totalSteps: o.steps + 1, epoch: 0, stepsPerEpoch: o.steps + 1 }, 1e-3, config, { regionMap: maps?.regionMap });
        await loss.data();
        loss.dispose();
        if (i > 0) times.push(performance.now() - t0);
      }
    } finally {
      disposeModel(model);
      optimizer.dispose();
      maps?.close();
    }
    return batch / (median(times) / 1000);
  };
  const without = await rate(false);
  const withOp = await rate(true);
  const ratio = withOp / without;
  log(`training step, SimCLR, ConvNet w0.5, batch ${batch} at ${data.width}x${data.width}, ${tf.getBackend()}:`);
  log(`  without saliencyCut ${without.toFixed(1)} images/s, with saliencyCut p = 1 ${withOp.toFixed(1)} images/s: ${(100 * ratio).toFixed(0)}% [target >= 90%: ${verdict(ratio >= 0.9)}]`);
}

export async function benchSaliency(o: BenchSaliencyOptions, log: (line: string) => void): Promise<void> {
  const params = saliencyParams(defaultSaliencyConfig());
  log(`bench saliency: settings ${JSON.stringify(params)}, scenes from ${sceneFixtures()}`);
  await qualityAndSpeed(await saliencyScenes(sceneFixtures(), { width: 600, height: 450, count: o.scenes, seed: 1 }), params, "600x450", 2000, log);
  const small = await saliencyScenes(sceneFixtures(), { width: 96, height: 96, count: Math.max(o.scenes, 32), seed: 2 });
  await qualityAndSpeed(small, params, "96x96", 50, log);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-studio-bench-saliency-"));
  try {
    const data = scenesDataset(small);
    const built = await buildCache({ dir, params, dataset: data, workers: o.workers });
    log(`cache build of ${data.count} 96x96 images with ${o.workers} worker(s): ${built.seconds.toFixed(1)} s (${built.imagesPerSecond.toFixed(1)} images/s)`);
    lookupSpeed(dir, params, data, log);
    await selectBackend(o.backend);
    await trainingRate(data, dir, o, log);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
