/**
 * One SimCLR optimiser step on a batch of dataset indices.
 *
 * With `train.microBatch` smaller than the batch, the step uses a gradient
 * cache (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under
 * Memory Limited Setup"): embeddings of the whole batch are computed chunk by
 * chunk without a tape, the loss and its gradient with respect to the
 * embeddings are computed on the whole batch, then each chunk is recomputed
 * with a tape and back-propagated from its slice of that gradient. The loss
 * still contrasts every pair in the batch; memory grows with the chunk, not
 * the batch. BatchNorm statistics are per chunk, as with per-device
 * BatchNorm in data-parallel training.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../core/config/schema";
import type { ImageDataset } from "../core/data/dataset";
import type { SslModel } from "../core/models/build";
import { applyUpdates, type ForwardContext } from "../core/models/layers";
import type { Optimizer } from "../core/optim";
import { augmentBatch, viewInstances } from "../core/augment";
import { simclrEmbed, simclrLoss, simclrObjective } from "../core/methods/simclr";

/** Every view of the batch, in the policy's order (SimCLR: two). */
function makeViews(data: ImageDataset, indices: Int32Array, epoch: number, config: Experiment): tf.Tensor4D[] {
  return augmentBatch(data, indices, { seed: config.seed, epoch, epochs: config.train.epochs }, viewInstances(config)).views;
}

type Grads = Record<string, tf.Tensor>;

export function wholeBatch(model: SslModel, views: tf.Tensor4D[], config: Experiment): { loss: tf.Scalar; grads: Grads } {
  const ctx: ForwardContext = { training: true, updates: [] };
  const { value, grads } = tf.variableGrads(() => simclrLoss(model, views, ctx, config), model.vars.params.map((p) => p.variable));
  applyUpdates(ctx);
  return { loss: value, grads };
}

export function gradientCache(model: SslModel, views: tf.Tensor4D[], chunk: number, config: Experiment): { loss: tf.Scalar; grads: Grads } {
  const [v1, v2] = views as [tf.Tensor4D, tf.Tensor4D];
  const n = v1.shape[0];
  const starts = Array.from({ length: Math.ceil(n / chunk) }, (_, i) => i * chunk);
  const slice = (v: tf.Tensor4D, s: number) => tf.slice(v, [s, 0, 0, 0], [Math.min(chunk, n - s), -1, -1, -1]);

  // Pass 1, no tape: every embedding of the batch. The BatchNorm statistics of this pass are dropped; pass 2 makes them again.
  const [z1, z2] = tf.tidy(() => {
    const parts = starts.map((s) => {
      const ctx: ForwardContext = { training: true, updates: [] };
      const z = simclrEmbed(model, slice(v1, s), slice(v2, s), ctx);
      tf.dispose(ctx.updates.map((u) => u.value));
      return tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    });
    return [tf.concat(parts.map((p) => p[0]), 0), tf.concat(parts.map((p) => p[1]), 0)] as [tf.Tensor2D, tf.Tensor2D];
  });
  const { value: loss, grads: dz } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => simclrObjective(a as tf.Tensor2D, b as tf.Tensor2D, config))([z1, z2]);
  tf.dispose([z1, z2]);

  // Pass 2: each chunk again with a tape, seeded with its slice of dLoss/dz; gradients summed over chunks.
  const total: Grads = {};
  const vars = model.vars.params.map((p) => p.variable);
  for (const s of starts) {
    const ctx: ForwardContext = { training: true, updates: [] };
    const { value, grads } = tf.variableGrads(() => {
      const m = Math.min(chunk, n - s);
      const seed = tf.concat([tf.slice(dz[0]!, [s, 0], [m, -1]), tf.slice(dz[1]!, [s, 0], [m, -1])], 0);
      return tf.sum(tf.mul(simclrEmbed(model, slice(v1, s), slice(v2, s), ctx), seed)) as tf.Scalar;
    }, vars);
    value.dispose();
    applyUpdates(ctx);
    for (const [name, g] of Object.entries(grads)) {
      if (total[name]) {
        const sum = tf.add(total[name]!, g);
        tf.dispose([total[name]!, g]);
        total[name] = sum;
      } else {
        total[name] = g;
      }
    }
  }
  tf.dispose(dz);
  return { loss, grads: total };
}

/** Updates the model in place and returns the step's loss (the caller disposes it). */
export function trainStep(
  model: SslModel,
  optimizer: Optimizer,
  data: ImageDataset,
  indices: Int32Array,
  epoch: number,
  lr: number,
  config: Experiment,
): tf.Scalar {
  const views = makeViews(data, indices, epoch, config);
  try {
    const chunk = config.train.microBatch ?? indices.length;
    const { loss, grads } = chunk < indices.length ? gradientCache(model, views, chunk, config) : wholeBatch(model, views, config);
    // tf.variableGrads keys gradients by tfjs variable name; the optimiser knows params by their own names.
    const byVariable = new Map(model.vars.params.map((p) => [p.variable.name, p.name]));
    const named: Grads = {};
    for (const [varName, g] of Object.entries(grads)) named[byVariable.get(varName)!] = g;
    optimizer.step(model.vars.params, named, lr);
    tf.dispose(Object.values(grads));
    return loss;
  } finally {
    tf.dispose(views);
  }
}
