/**
 * Exponential-moving-average targets (MoCo's momentum encoder, BYOL's target,
 * DINO's teacher): a copy of online networks on the `state` builder, named
 * "target.<online name>", whose weights follow the online ones. BatchNorm
 * running statistics are not averaged: the target's own forward passes keep
 * them, as in the reference code.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ParamBuilder } from "../models/layers";
import type { StepProgress } from "./method";

export const TARGET_PREFIX = "target.";

export interface EmaPair {
  online: tf.Variable;
  target: tf.Variable;
}

/** Pairs every target parameter with its online twin and copies the online weights into it. */
export function initTargets(vars: ParamBuilder, state: ParamBuilder): EmaPair[] {
  const online = new Map(vars.params.map((p) => [p.name, p.variable]));
  const pairs = state.params
    .filter((p) => p.name.startsWith(TARGET_PREFIX))
    .map((p) => {
      const twin = online.get(p.name.slice(TARGET_PREFIX.length));
      if (!twin) throw new Error(`EMA target ${p.name} has no online parameter`);
      return { online: twin, target: p.variable };
    });
  for (const { online: o, target: t } of pairs) t.assign(o);
  return pairs;
}

/** target ← m · target + (1 − m) · online. */
export function emaUpdate(pairs: EmaPair[], momentum: number): void {
  tf.tidy(() => {
    for (const { online, target } of pairs) target.assign(tf.add(tf.mul(target, momentum), tf.mul(online, 1 - momentum)));
  });
}

/** BYOL's and DINO's schedule: momentum rises from `base` to 1 along a half cosine over the run. */
export function cosineMomentum(base: number, { step, totalSteps }: StepProgress): number {
  return 1 - (1 - base) * (Math.cos((Math.PI * step) / Math.max(totalSteps, 1)) + 1) / 2;
}
