/**
 * The building blocks of our networks as plain functions over named
 * variables. Weights are initialised from the seeded Rng in JS, not by tfjs's
 * random ops, so a seed gives the same network on every backend.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Rng } from "../random";
import type { Param } from "./params";

/** Non-trainable state saved in checkpoints, e.g. BatchNorm running statistics. */
export interface Buffer {
  name: string;
  variable: tf.Variable;
}

/** Per-forward-pass state: training mode, and the BatchNorm statistics updates to apply after the step. */
export interface ForwardContext {
  training: boolean;
  updates: { variable: tf.Variable; value: tf.Tensor }[];
}

export interface BatchNormVars {
  gamma: tf.Variable;
  beta: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

export interface DenseVars {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/** Creates the variables of a network and records them by name. */
export class ParamBuilder {
  readonly params: Param[] = [];
  readonly buffers: Buffer[] = [];

  constructor(private readonly rng: Rng) {}

  private fill(count: number, draw: () => number): Float32Array {
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = draw();
    return values;
  }

  private param(name: string, shape: number[], values: Float32Array, decay: boolean): tf.Variable {
    // tfjs variable names are global to the engine; ours stay in Param.name so two models can coexist.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), true));
    this.params.push({ name, variable, decay });
    return variable;
  }

  /** A saved, untrained variable filled with one value or the given values. */
  buffer(name: string, shape: number[], value: number | Float32Array): tf.Variable {
    const variable = tf.tidy(() => tf.variable(typeof value === "number" ? tf.fill(shape, value) : tf.tensor(value, shape), false));
    this.buffers.push({ name, variable });
    return variable;
  }

  /** A conv kernel [k, k, cin, cout], He-normal on fan-out as torchvision's ResNet. */
  conv(name: string, k: number, cin: number, cout: number): tf.Variable {
    const std = Math.sqrt(2 / (k * k * cout));
    return this.param(`${name}.kernel`, [k, k, cin, cout], this.fill(k * k * cin * cout, () => std * this.rng.normal()), true);
  }

  /** A matrix of unit-variance normal draws (e.g. prototypes, whose rows are normalised in the loss). */
  normal(name: string, shape: number[], decay = true): tf.Variable {
    return this.param(name, shape, this.fill(shape.reduce((a, b) => a * b, 1), () => this.rng.normal()), decay);
  }

  /** A linear layer with PyTorch's default init: uniform in ±1/sqrt(fan_in) for kernel and bias. */
  dense(name: string, fin: number, fout: number): DenseVars {
    const bound = 1 / Math.sqrt(fin);
    const draw = () => this.rng.uniform(-bound, bound);
    return {
      kernel: this.param(`${name}.kernel`, [fin, fout], this.fill(fin * fout, draw), true),
      bias: this.param(`${name}.bias`, [fout], this.fill(fout, draw), false),
    };
  }

  /** Every variable with its name, in creation order: what a checkpoint stores. */
  all(): { name: string; variable: tf.Variable }[] {
    return [...this.params, ...this.buffers];
  }

  dispose(): void {
    for (const { variable } of this.all()) variable.dispose();
  }

  batchNorm(name: string, channels: number): BatchNormVars {
    return {
      gamma: this.param(`${name}.gamma`, [channels], new Float32Array(channels).fill(1), false),
      beta: this.param(`${name}.beta`, [channels], new Float32Array(channels), false),
      runningMean: this.buffer(`${name}.runningMean`, [channels], 0),
      runningVar: this.buffer(`${name}.runningVar`, [channels], 1),
    };
  }
}

export function conv(x: tf.Tensor4D, kernel: tf.Variable, stride: number): tf.Tensor4D {
  return tf.conv2d(x, kernel as tf.Tensor4D, stride, "same");
}

/** Applies and releases the BatchNorm statistics updates collected during a training step. */
export function applyUpdates(ctx: ForwardContext): void {
  for (const { variable, value } of ctx.updates) {
    variable.assign(value);
    value.dispose();
  }
  ctx.updates.length = 0;
}

export function dense(x: tf.Tensor2D, d: DenseVars): tf.Tensor2D {
  return tf.add(tf.matMul(x, d.kernel as tf.Tensor2D), d.bias) as tf.Tensor2D;
}

/** Mean over height and width as an average pool (XNNPACK on wasm; tf.mean over middle axes is a slow generic loop there). */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w, c] = x.shape;
  return tf.reshape(tf.avgPool(x, [h, w], 1, "valid"), [b, c]);
}
