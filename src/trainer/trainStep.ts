/**
 * One optimiser step of any method on a batch of dataset indices.
 *
 * With `train.microBatch` smaller than the batch, the step uses a gradient
 * cache (Gao et al. 2021, "Scaling Deep Contrastive Learning Batch Size under
 * Memory Limited Setup"): the method's outputs for the whole batch are
 * computed chunk by chunk without a tape, the loss and its gradient with
 * respect to the outputs are computed on the whole batch, then each chunk is
 * recomputed with a tape and back-propagated from its slice of that gradient.
 * The loss still couples the whole batch (negatives, batch statistics,
 * Sinkhorn codes); memory grows with the chunk, not the batch. BatchNorm
 * statistics are per chunk, as with per-device BatchNorm in data-parallel
 * training.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../core/config/schema";
import type { ImageDataset } from "../core/data/dataset";
import type { SslModel } from "../core/models/build";
import { applyUpdates, type ForwardContext } from "../core/models/layers";
import type { Param } from "../core/models/params";
import type { Optimizer } from "../core/optim";
import { augmentBatch, viewInstances } from "../core/augment";
import type { ApplyOptions } from "../core/augment/apply";
import type { Outputs, StepProgress } from "../core/methods";

/** Every view of the batch, in the policy's order. */
function makeViews(data: ImageDataset, indices: Int32Array, epoch: number, config: Experiment, regionMap: StepOptions["regionMap"]): tf.Tensor4D[] {
  return augmentBatch(data, indices, { seed: config.seed, epoch, epochs: config.train.epochs }, viewInstances(config), { regionMap }).views;
}

export interface StepOptions {
  /** Parameters that stay as they are (HPT's "trainable": "batchnorm"). */
  fixed?: (name: string) => boolean;
  /** SaliencyCut region maps of the dataset images, when the policy has the saliencyCut op. */
  regionMap?: ApplyOptions["regionMap"];
}

type Grads = Record<string, tf.Tensor>;

interface StepResult {
  loss: tf.Scalar;
  grads: Grads;
  /** The step's outputs, kept for the method's afterStep. */
  outputs: Outputs;
}

const keepAll = (o: Outputs): Outputs => Object.fromEntries(Object.entries(o).map(([k, t]) => [k, tf.keep(t)]));

export function wholeBatch(model: SslModel, views: tf.Tensor4D[], trainable: Param[], progress: StepProgress): StepResult {
  const ctx: ForwardContext = { training: true, updates: [] };
  let outputs: Outputs = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = model.method.forward(views, ctx, progress);
    outputs = keepAll(out);
    return model.method.objective(out, progress);
  }, trainable.map((p) => p.variable));
  applyUpdates(ctx);
  return { loss: value, grads, outputs };
}

export function gradientCache(model: SslModel, views: tf.Tensor4D[], chunk: number, trainable: Param[], progress: StepProgress): StepResult {
  const n = views[0]!.shape[0];
  const starts = Array.from({ length: Math.ceil(n / chunk) }, (_, i) => i * chunk);
  const size = (s: number) => Math.min(chunk, n - s);
  const sliceViews = (s: number) => views.map((v) => tf.slice(v, [s, 0, 0, 0], [size(s), -1, -1, -1]));
  const sliceRows = (t: tf.Tensor, s: number) => tf.slice(t, [s, ...t.shape.slice(1).map(() => 0)], [size(s), ...t.shape.slice(1).map(() => -1)]);

  // Pass 1, no tape: the outputs of the whole batch. Its BatchNorm statistics are dropped; pass 2 makes them again.
  const outputs: Outputs = tf.tidy(() => {
    const parts = starts.map((s) => {
      const ctx: ForwardContext = { training: true, updates: [], rowOffset: s };
      const out = model.method.forward(sliceViews(s), ctx, progress);
      tf.dispose(ctx.updates.map((u) => u.value));
      return out;
    });
    return Object.fromEntries(Object.keys(parts[0]!).map((k) => [k, tf.concat(parts.map((p) => p[k]!), 0)]));
  });
  // The loss's gradient with respect to the outputs, and to the parameters the objective itself uses (SwAV's prototypes).
  const names = Object.keys(outputs);
  const asVariables = names.map((k) => tf.variable(outputs[k]!, true));
  const { value: loss, grads: objectiveGrads } = tf.variableGrads(
    () => model.method.objective(Object.fromEntries(names.map((k, i) => [k, asVariables[i]!])), progress),
    [...trainable.map((p) => p.variable), ...asVariables],
  );
  const dOut = asVariables.map((v) => objectiveGrads[v.name] ?? tf.zerosLike(v));
  const total: Grads = {};
  for (const p of trainable) if (objectiveGrads[p.variable.name]) total[p.variable.name] = objectiveGrads[p.variable.name]!;
  tf.dispose(asVariables);

  // Pass 2: each chunk again with a tape, seeded with its slice of dLoss/dOutputs; gradients summed over chunks.
  for (const s of starts) {
    const ctx: ForwardContext = { training: true, updates: [], rowOffset: s };
    const { value, grads } = tf.variableGrads(() => {
      const out = model.method.forward(sliceViews(s), ctx, progress);
      return tf.addN(names.map((k, i) => tf.sum(tf.mul(out[k]!, sliceRows(dOut[i]!, s))))) as tf.Scalar;
    }, trainable.map((p) => p.variable));
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
  tf.dispose(dOut);
  return { loss, grads: total, outputs };
}

/** The parameters this step updates: all, minus those the method freezes now and those the experiment keeps fixed. */
export function trainableParams(model: SslModel, progress: StepProgress, fixed?: (name: string) => boolean): Param[] {
  const frozen = model.method.frozen?.(progress);
  return model.vars.params.filter((p) => !frozen?.(p.name) && !fixed?.(p.name));
}

/** Updates the model in place and returns the step's loss (the caller disposes it). */
export function trainStep(
  model: SslModel,
  optimizer: Optimizer,
  data: ImageDataset,
  indices: Int32Array,
  progress: StepProgress,
  lr: number,
  config: Experiment,
  { fixed, regionMap }: StepOptions = {},
): tf.Scalar {
  const views = makeViews(data, indices, progress.epoch, config, regionMap);
  try {
    const chunk = config.train.microBatch ?? indices.length;
    const trainable = trainableParams(model, progress, fixed);
    const { loss, grads, outputs } =
      chunk < indices.length ? gradientCache(model, views, chunk, trainable, progress) : wholeBatch(model, views, trainable, progress);
    // tf.variableGrads keys gradients by tfjs variable name; the optimiser knows params by their own names.
    const byVariable = new Map(model.vars.params.map((p) => [p.variable.name, p.name]));
    const named: Grads = {};
    for (const [varName, g] of Object.entries(grads)) named[byVariable.get(varName)!] = g;
    optimizer.step(model.vars.params, named, lr);
    tf.dispose(Object.values(grads));
    model.method.afterStep?.(outputs, progress);
    tf.dispose(Object.values(outputs));
    return loss;
  } finally {
    tf.dispose(views);
  }
}
