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
  /** Weight of this batch in the running statistics (default 0.1, PyTorch's); 1/k on the k-th batch gives a plain average. */
  bnMomentum?: number;
  /**
   * Row in the whole batch of the first image of these views (the gradient
   * cache forwards the batch in chunks); 0 when absent. Per-image random
   * draws (MAE's masks) are seeded by the image's row so they do not depend
   * on the chunking.
   */
  rowOffset?: number;
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

export interface LayerNormVars {
  gamma: tf.Variable;
  beta: tf.Variable;
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

  /**
   * A linear layer with Xavier-uniform kernel (±sqrt(6 / (fan_in + fan_out)))
   * and zero bias: how MAE initialises every Linear of its ViT, the patch
   * embedding included (timm's own ViT init draws a truncated normal of std
   * 0.02 instead).
   */
  xavierDense(name: string, fin: number, fout: number): DenseVars {
    const bound = Math.sqrt(6 / (fin + fout));
    return {
      kernel: this.param(`${name}.kernel`, [fin, fout], this.fill(fin * fout, () => this.rng.uniform(-bound, bound)), true),
      bias: this.param(`${name}.bias`, [fout], new Float32Array(fout), false),
    };
  }

  /**
   * Normal draws with standard deviation `std`, redrawn outside ±2 std (timm's
   * trunc_normal_(std=0.02) for ViT tokens). Tokens get no weight decay, as
   * timm's ViT lists them in no_weight_decay.
   */
  truncNormal(name: string, shape: number[], std = 0.02, decay = false): tf.Variable {
    const draw = () => {
      for (;;) {
        const z = this.rng.normal();
        if (Math.abs(z) <= 2) return std * z;
      }
    };
    return this.param(name, shape, this.fill(shape.reduce((a, b) => a * b, 1), draw), decay);
  }

  /** LayerNorm's scale (ones) and shift (zeros), without weight decay. */
  layerNorm(name: string, dim: number): LayerNormVars {
    return {
      gamma: this.param(`${name}.gamma`, [dim], new Float32Array(dim).fill(1), false),
      beta: this.param(`${name}.beta`, [dim], new Float32Array(dim), false),
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

/** Mean over height and width as an average pool (XNNPACK on wasm; tf.mean over middle axes is a slow generic loop there). */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w, c] = x.shape;
  return tf.reshape(tf.avgPool(x, [h, w], 1, "valid"), [b, c]);
}

/**
 * LayerNorm (Ba et al. 2016) over the last axis: (x − mean) / sqrt(var + eps)
 * · gamma + beta, with the biased variance as PyTorch's nn.LayerNorm; eps
 * 1e-6 as MAE's and timm's ViTs. Reduces only the innermost axis, which the
 * wasm backend does without a transpose.
 */
export function layerNorm<T extends tf.Tensor>(x: T, v: LayerNormVars, eps = 1e-6): T {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), v.gamma), v.beta) as T;
}

/** GELU, exact form: x · Φ(x) = x/2 · (1 + erf(x/√2)). */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2)))) as T;
}

const linearOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, kernel, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, kernel]);
  return {
    value: tf.add(tf.matMul(x, kernel), bias) as tf.Tensor2D,
    gradFunc: (dy: tf.Tensor2D, [xs, k]: tf.Tensor[]) => [
      tf.matMul(dy, tf.transpose(k as tf.Tensor2D)),
      tf.matMul(tf.transpose(xs as tf.Tensor2D), dy),
      // Σ over rows as ones · dy: a reduction over axis 0 is a transpose and a reduce on wasm.
      tf.reshape(tf.matMul(tf.ones([1, dy.shape[0]]), dy), [dy.shape[1]]),
    ],
  };
});

/**
 * x · kernel + bias, with gradients that are plain 2D matMuls of explicitly
 * transposed operands. The wasm backend (tfjs 4.22) runs only a
 * non-transposed 2D matMul on XNNPACK; matMul(dy, W, false, true) and
 * matMul(x, dy, true, false), which tfjs's own matMul gradient uses, fall to a
 * naive loop ~10-20x slower. Same values and gradients on every backend.
 */
export function dense(x: tf.Tensor2D, d: DenseVars): tf.Tensor2D {
  return linearOp(x, d.kernel, d.bias);
}
