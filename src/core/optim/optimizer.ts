/**
 * Optimisers over named parameters (`Param`): SGD with momentum, LARS and Adam,
 * following the PyTorch update rules so results can be compared with
 * reference implementations. The learning rate is passed to every `step`
 * (it comes from the schedule), so the optimisers hold no rate themselves.
 *
 * State ("slots") is kept per parameter in non-trainable tf.Variables named
 * "<paramName>/<slot>" so a checkpoint can save and restore it exactly:
 *   sgd, lars: "<paramName>/momentum"
 *   adam:      "<paramName>/m", "<paramName>/v"
 * plus `stepCount` (number of `step` calls so far), which Adam's bias
 * correction needs and which a checkpoint must save alongside the slots.
 * Slots are created lazily (zeros) on a parameter's first update.
 *
 * A parameter with no gradient in `grads` is skipped (no decay, no momentum
 * update), as PyTorch skips parameters whose .grad is None. `stepCount` is one
 * counter for the whole optimiser, so Adam's bias correction uses it for all
 * parameters (PyTorch keeps one per parameter; they agree whenever every
 * parameter gets a gradient on every step).
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Param } from "../models/params";

export type OptimizerKind = "sgd" | "lars" | "adam";

export interface OptimizerOptions {
  /** Momentum for sgd and lars; beta1 for adam. */
  momentum: number;
  /** Weight decay (L2, added to the gradient) for params with decay=true. */
  weightDecay: number;
  /** LARS trust coefficient eta (default 0.001, as in SimCLR's LARS). */
  eta?: number;
  /** Adam beta2 (default 0.999). */
  beta2?: number;
  /** Adam epsilon (default 1e-8). */
  eps?: number;
}

/** Gradients keyed by `Param.name` (or, failing that, by the tf variable's name, as tf.variableGrads returns them). */
export type Gradients = Map<string, tf.Tensor> | Record<string, tf.Tensor>;

/** A live slot tensor, owned by the optimiser (do not dispose). */
export interface SlotTensor {
  name: string;
  tensor: tf.Tensor;
}

/** A slot's saved contents, as read back from `slots()` / `exportSlots()`. */
export interface SlotValues {
  name: string;
  values: Float32Array;
  shape: number[];
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  /** Number of `step` calls so far (restore it with the slots when resuming). */
  stepCount: number;
  /** Applies one update to every param that has a gradient, then increments stepCount. */
  step(params: Param[], grads: Gradients, lr: number): void;
  /** Current slots, in creation order, named "<paramName>/<slot>". */
  slots(): SlotTensor[];
  /** Reads the slots' values (copies), ready to be written to a checkpoint. */
  exportSlots(): Promise<SlotValues[]>;
  /**
   * Replaces all slots with the given values (disposing the current ones) and,
   * if given, sets stepCount. Slot shapes are checked against the params on
   * the next `step`.
   */
  loadSlots(slots: SlotValues[], stepCount?: number): void;
  /** Disposes all slot variables. */
  dispose(): void;
}

export const LARS_ETA = 0.001;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPS = 1e-8;

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function lookupGrad(grads: Gradients, p: Param): tf.Tensor | undefined {
  if (grads instanceof Map) return grads.get(p.name) ?? grads.get(p.variable.name);
  return grads[p.name] ?? grads[p.variable.name];
}

abstract class BaseOptimizer implements Optimizer {
  abstract readonly kind: OptimizerKind;
  stepCount = 0;
  protected readonly slotVars = new Map<string, tf.Variable>();
  protected readonly momentum: number;
  protected readonly weightDecay: number;

  constructor(opts: OptimizerOptions) {
    if (!Number.isFinite(opts.momentum) || opts.momentum < 0 || opts.momentum > 1)
      throw new RangeError(`optimizer: momentum must be in [0, 1], got ${opts.momentum}`);
    if (!Number.isFinite(opts.weightDecay) || opts.weightDecay < 0)
      throw new RangeError(`optimizer: weightDecay must be >= 0, got ${opts.weightDecay}`);
    this.momentum = opts.momentum;
    this.weightDecay = opts.weightDecay;
  }

  /** Slot names this optimiser keeps per parameter. */
  protected abstract readonly slotNames: readonly string[];

  /** Computes the new value of the parameter and updates its slots; runs inside tf.tidy. */
  protected abstract update(p: Param, grad: tf.Tensor, slots: tf.Variable[], lr: number, t: number): void;

  step(params: Param[], grads: Gradients, lr: number): void {
    if (!Number.isFinite(lr)) throw new RangeError(`optimizer: lr must be finite, got ${lr}`);
    const t = this.stepCount + 1;
    for (const p of params) {
      const grad = lookupGrad(grads, p);
      if (grad === undefined) continue;
      if (!sameShape(grad.shape, p.variable.shape))
        throw new Error(`optimizer: gradient of ${p.name} has shape [${grad.shape}], param has [${p.variable.shape}]`);
      const slots = this.slotNames.map((s) => this.slotFor(p, s));
      tf.tidy(() => this.update(p, grad, slots, lr, t));
    }
    this.stepCount = t;
  }

  private slotFor(p: Param, slot: string): tf.Variable {
    const name = `${p.name}/${slot}`;
    let v = this.slotVars.get(name);
    if (v === undefined) {
      const zeros = tf.zerosLike(p.variable);
      v = tf.variable(zeros, false);
      zeros.dispose();
      this.slotVars.set(name, v);
    } else if (!sameShape(v.shape, p.variable.shape)) {
      throw new Error(`optimizer: slot ${name} has shape [${v.shape}], param has [${p.variable.shape}]`);
    }
    return v;
  }

  slots(): SlotTensor[] {
    return [...this.slotVars].map(([name, tensor]) => ({ name, tensor }));
  }

  async exportSlots(): Promise<SlotValues[]> {
    const out: SlotValues[] = [];
    for (const [name, v] of this.slotVars) {
      const data = await v.data();
      out.push({ name, values: Float32Array.from(data as Float32Array), shape: [...v.shape] });
    }
    return out;
  }

  loadSlots(slots: SlotValues[], stepCount?: number): void {
    if (stepCount !== undefined && (!Number.isInteger(stepCount) || stepCount < 0))
      throw new RangeError(`optimizer: stepCount must be a non-negative integer, got ${stepCount}`);
    const seen = new Set<string>();
    for (const s of slots) {
      if (seen.has(s.name)) throw new Error(`optimizer: duplicate slot ${s.name}`);
      seen.add(s.name);
      const suffix = s.name.slice(s.name.lastIndexOf("/") + 1);
      if (!s.name.includes("/") || !this.slotNames.includes(suffix))
        throw new Error(`optimizer: slot ${s.name} is not a ${this.kind} slot (${this.slotNames.join(", ")})`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (s.values.length !== size)
        throw new Error(`optimizer: slot ${s.name} has ${s.values.length} values for shape [${s.shape}]`);
    }
    this.dispose();
    for (const s of slots) {
      const init = tf.tensor(s.values, s.shape, "float32");
      this.slotVars.set(s.name, tf.variable(init, false));
      init.dispose();
    }
    if (stepCount !== undefined) this.stepCount = stepCount;
  }

  dispose(): void {
    for (const v of this.slotVars.values()) v.dispose();
    this.slotVars.clear();
  }

  /** grad + weightDecay * w for decay params, grad otherwise. */
  protected decayed(p: Param, grad: tf.Tensor): tf.Tensor {
    if (!p.decay || this.weightDecay === 0) return grad;
    return tf.add(grad, tf.mul(tf.scalar(this.weightDecay), p.variable));
  }
}

/** PyTorch SGD (dampening 0, no Nesterov): g = grad + wd*w; buf = m*buf + g; w -= lr*buf. */
class Sgd extends BaseOptimizer {
  readonly kind = "sgd" as const;
  protected readonly slotNames = ["momentum"] as const;

  protected update(p: Param, grad: tf.Tensor, [buf]: tf.Variable[], lr: number): void {
    const g = this.decayed(p, grad);
    const next = tf.add(tf.mul(tf.scalar(this.momentum), buf!), g);
    buf!.assign(next);
    p.variable.assign(tf.sub(p.variable, tf.mul(tf.scalar(lr), next)));
  }
}

/**
 * LARS (You et al. 2017) in the PyTorch form used by SimCLR/BYOL/Barlow Twins
 * re-implementations. For decay=true params:
 *   g = grad + wd*w
 *   q = eta*||w||/||g|| if ||w|| > 0 and ||g|| > 0, else 1
 *   g = q*g
 * decay=false params (biases, BatchNorm) keep g = grad (no decay, q = 1). Then
 *   buf = m*buf + g;  w -= lr*buf.
 * (SimCLR's TF code puts lr inside the momentum buffer: buf = m*buf + lr*q*g;
 * the two agree for a constant lr.)
 */
class Lars extends BaseOptimizer {
  readonly kind = "lars" as const;
  protected readonly slotNames = ["momentum"] as const;
  private readonly eta: number;

  constructor(opts: OptimizerOptions) {
    super(opts);
    this.eta = opts.eta ?? LARS_ETA;
    if (!Number.isFinite(this.eta) || this.eta <= 0) throw new RangeError(`optimizer: eta must be > 0, got ${this.eta}`);
  }

  protected update(p: Param, grad: tf.Tensor, [buf]: tf.Variable[], lr: number): void {
    let g = this.decayed(p, grad);
    if (p.decay) {
      const wNorm = tf.norm(p.variable);
      const gNorm = tf.norm(g);
      const one = tf.onesLike(wNorm);
      const zero = tf.zerosLike(wNorm);
      // Safe denominator so the unselected branch holds no inf/NaN.
      const safeG = tf.where(tf.greater(gNorm, zero), gNorm, one);
      const ratio = tf.div(tf.mul(tf.scalar(this.eta), wNorm), safeG);
      const q = tf.where(tf.logicalAnd(tf.greater(wNorm, zero), tf.greater(gNorm, zero)), ratio, one);
      g = tf.mul(g, q);
    }
    const next = tf.add(tf.mul(tf.scalar(this.momentum), buf!), g);
    buf!.assign(next);
    p.variable.assign(tf.sub(p.variable, tf.mul(tf.scalar(lr), next)));
  }
}

/**
 * PyTorch Adam (not AdamW): g = grad + wd*w (decay params);
 *   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
 *   w -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
 * with t = stepCount + 1 and b1 = momentum.
 */
class Adam extends BaseOptimizer {
  readonly kind = "adam" as const;
  protected readonly slotNames = ["m", "v"] as const;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(opts: OptimizerOptions) {
    super(opts);
    if (opts.momentum >= 1) throw new RangeError(`optimizer: adam needs momentum (beta1) < 1, got ${opts.momentum}`);
    this.beta2 = opts.beta2 ?? ADAM_BETA2;
    this.eps = opts.eps ?? ADAM_EPS;
    if (!(this.beta2 >= 0 && this.beta2 < 1)) throw new RangeError(`optimizer: beta2 must be in [0, 1), got ${this.beta2}`);
    if (!(this.eps > 0)) throw new RangeError(`optimizer: eps must be > 0, got ${this.eps}`);
  }

  protected update(p: Param, grad: tf.Tensor, [m, v]: tf.Variable[], lr: number, t: number): void {
    const b1 = this.momentum;
    const b2 = this.beta2;
    const g = this.decayed(p, grad);
    const nextM = tf.add(tf.mul(tf.scalar(b1), m!), tf.mul(tf.scalar(1 - b1), g));
    const nextV = tf.add(tf.mul(tf.scalar(b2), v!), tf.mul(tf.scalar(1 - b2), tf.square(g)));
    m!.assign(nextM);
    v!.assign(nextV);
    const bc1 = 1 - Math.pow(b1, t);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
    const denom = tf.add(tf.div(tf.sqrt(nextV), tf.scalar(bc2Sqrt)), tf.scalar(this.eps));
    const stepSize = tf.scalar(lr / bc1);
    p.variable.assign(tf.sub(p.variable, tf.mul(stepSize, tf.div(nextM, denom))));
  }
}

export function createOptimizer(kind: OptimizerKind, opts: OptimizerOptions): Optimizer {
  switch (kind) {
    case "sgd":
      return new Sgd(opts);
    case "lars":
      return new Lars(opts);
    case "adam":
      return new Adam(opts);
    default:
      throw new Error(`optimizer: unknown kind ${String(kind as unknown)}`);
  }
}
