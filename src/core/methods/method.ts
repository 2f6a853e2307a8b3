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
  /** The embedding the loss works on, for the collapse indicators (evaluation mode). */
  embed(x: tf.Tensor4D, ctx: ForwardContext): tf.Tensor2D;
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

export type MethodFactory = (ctx: MethodContext) => SslMethod;
