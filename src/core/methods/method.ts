/**
 * What every SSL method provides to the one training loop. A method owns its
 * networks around the shared backbone (heads, predictors, EMA targets,
 * queues, prototypes); the loop owns data, augmentation, the optimiser,
 * checkpoints and evaluation.
 *
 * The step is split into `forward` (views → per-image outputs) and
 * `objective` (outputs of the whole batch → loss) so the gradient cache can
 * run `forward` chunk by chunk and still let the loss couple the whole batch
 * (negatives, batch statistics, Sinkhorn codes).
 */
import type * as tf from "@tensorflow/tfjs-core";
import type { Tile } from "../augment/preview";
import type { Experiment } from "../config/schema";
import type { ForwardContext, ParamBuilder } from "../models/layers";
import type { Backbone } from "../models/network";

/** Where the run is; schedules (EMA momentum, DINO's teacher temperature, SwAV's frozen prototypes) read it. */
export interface StepProgress {
  /** 0-based index of the update being computed. */
  step: number;
  totalSteps: number;
  /** 0-based epoch of this step. */
  epoch: number;
  stepsPerEpoch: number;
}

/** Outputs of `forward`, by name; axis 0 of every tensor runs over the images of the batch, in order. */
export type Outputs = Record<string, tf.Tensor>;

/** A column of a method's snapshot grid: one tile per image, in the order of the images. */
export interface SnapshotColumn {
  label: string;
  tiles: Tile[];
}

export interface SslMethod {
  /**
   * Views of a batch (as the augmentation policy made them, same images in
   * the same order in each) → outputs. Runs under the gradient tape: tensors
   * computed from `state` variables (targets) carry no gradient.
   */
  forward(views: tf.Tensor4D[], ctx: ForwardContext, progress: StepProgress): Outputs;
  /** The loss of the whole batch from its outputs. */
  objective(outputs: Outputs, progress: StepProgress): tf.Scalar;
  /** After the optimiser step, with the step's outputs: EMA targets, queues, centres. */
  afterStep?(outputs: Outputs, progress: StepProgress): void;
  /** Trainable parameters whose update is skipped at this step (SwAV freezes its prototypes at first). */
  frozen?(progress: StepProgress): (paramName: string) => boolean;
  /**
   * The embedding a joint-embedding loss works on, for the collapse
   * indicators (evaluation mode). Pretext tasks and MAE have none: their
   * losses cannot collapse to a constant embedding.
   */
  embed?(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
  /**
   * Pictures of what the method does to some images, for the UI: one column
   * per kind (MAE: original, masked, reconstruction), one tile per image;
   * snapshotPng (snapshotGrid.ts) lays them out with one row per image.
   * Images [N, H, W, C] in [0, 1]; evaluation mode, no tape, no tensor kept.
   * `seed` fixes the method's own random draws (MAE's masks), so snapshots
   * of the same images at different epochs are comparable.
   */
  snapshot?(images: tf.Tensor4D, seed: number): SnapshotColumn[];
}

export interface MethodContext {
  config: Experiment;
  backbone: Backbone;
  /** Trained by the optimiser and saved in checkpoints. */
  vars: ParamBuilder;
  /** Saved in checkpoints, never given to the optimiser: EMA targets, queues, centres. */
  state: ParamBuilder;
  /** A fresh backbone of the experiment's architecture on another builder (for EMA targets). */
  makeBackbone(builder: ParamBuilder, prefix: string): Backbone;
  inChannels: number;
}

/** What a method's backbone sees when it is not the dataset's images as they are. */
export interface BackboneInput {
  /** Channels of the backbone's first layer. */
  channels: number;
  /** Images [N, H, W, C] in [0, 1] -> the backbone's input; applied in training and evaluation alike. */
  transform(x: tf.Tensor): tf.Tensor;
}

export type MethodFactory = ((ctx: MethodContext) => SslMethod) & {
  /**
   * Set by methods whose backbone sees something other than the images
   * (colorization: lightness only); called before the backbone is built,
   * and throws when the method cannot use a dataset of these channels.
   */
  input?(config: Experiment, datasetChannels: number): BackboneInput;
};
