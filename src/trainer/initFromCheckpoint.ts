/**
 * Hierarchical pretraining (Reed et al. 2022): a new run starts from the
 * backbone of another run's checkpoint. The method's own networks (heads,
 * predictors, prototypes) start fresh, since the method may differ; EMA
 * targets start as copies of the loaded backbone. BatchNorm statistics are
 * re-estimated on the new data before training, because the checkpoint's
 * describe the data it was trained on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../core/config/schema";
import type { ImageDataset } from "../core/data/dataset";
import { imageBatch } from "../core/eval/features";
import type { SslModel } from "../core/models/build";
import { applyUpdates, type ForwardContext } from "../core/models/layers";
import { listCheckpoints, loadCheckpointArrays, readCheckpointMeta } from "../core/run/checkpoint";
import { TARGET_PREFIX } from "../core/methods/ema";

const BACKBONE = "backbone.";

export interface InitResult {
  /** The checkpoint folder read. */
  checkpoint: string;
  /** Backbone variables loaded. */
  loaded: number;
  /** Batches used to re-estimate the BatchNorm statistics. */
  bnBatches: number;
}

/** A checkpoint folder, or a run folder's last complete checkpoint. */
export function resolveCheckpoint(where: string): string {
  if (readCheckpointMeta(where)) return where;
  const last = listCheckpoints(path.join(where, "checkpoints")).pop();
  if (last) return last.dir;
  throw new Error(
    fs.existsSync(where)
      ? `init.checkpoint: ${where} is neither a checkpoint folder (with meta.json) nor a run folder with a complete checkpoint`
      : `init.checkpoint: ${where} does not exist`,
  );
}

/**
 * The parameters `init.trainable` keeps fixed: with "batchnorm", every
 * backbone weight except BatchNorm gamma/beta (the method's new heads still
 * train, or the loss would be computed by random projections).
 */
export function fixedParams(init: Experiment["init"]): ((paramName: string) => boolean) | undefined {
  if (init?.trainable !== "batchnorm") return undefined;
  return (name) => name.startsWith(BACKBONE) && !name.endsWith(".gamma") && !name.endsWith(".beta");
}

/** Running statistics as the plain average of `batches` batches of un-augmented training images (PyTorch's momentum=None). */
function reestimateBatchNorm(model: SslModel, data: ImageDataset, size: number, batches: number, batchSize: number): number {
  const count = Math.min(batches, Math.floor(data.count / batchSize));
  for (let k = 0; k < count; k++) {
    const ctx: ForwardContext = { training: true, updates: [], bnMomentum: 1 / (k + 1) };
    tf.tidy(() => model.backbone.apply(imageBatch(data, k * batchSize, batchSize, size), ctx));
    applyUpdates(ctx);
  }
  return count;
}

/** EMA targets (target.backbone.*) ← the online backbone, weights and statistics. */
function syncTargets(model: SslModel): void {
  const online = new Map(model.vars.all().map((v) => [v.name, v.variable]));
  for (const { name, variable } of model.state.all()) {
    const src = name.startsWith(TARGET_PREFIX) ? online.get(name.slice(TARGET_PREFIX.length)) : undefined;
    if (src) variable.assign(src);
  }
}

export function initFromCheckpoint(model: SslModel, init: NonNullable<Experiment["init"]>, data: ImageDataset, config: Experiment): InitResult {
  const checkpoint = resolveCheckpoint(init.checkpoint);
  const arrays = loadCheckpointArrays(checkpoint);
  let loaded = 0;
  for (const { name, variable } of model.vars.all()) {
    if (!name.startsWith(BACKBONE)) continue;
    const a = arrays.get(name);
    if (!a) throw new Error(`init.checkpoint: ${checkpoint} has no "${name}": was it made with another backbone?`);
    if (a.values.length !== variable.size) {
      throw new Error(`init.checkpoint: "${name}" has shape [${a.shape}] in ${checkpoint}, this model needs [${variable.shape}] (model.backbone and model.width must match)`);
    }
    tf.tidy(() => variable.assign(tf.tensor(a.values, variable.shape)));
    loaded++;
  }
  const bnBatches = init.bnBatches > 0 ? reestimateBatchNorm(model, data, config.imageSize, init.bnBatches, Math.min(config.train.batchSize, data.count)) : 0;
  syncTargets(model);
  return { checkpoint, loaded, bnBatches };
}
