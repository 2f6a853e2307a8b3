/**
 * A model and its optimiser as named arrays for a checkpoint, and back. Slots
 * are saved under "optimizer/<param>/<slot>" so a resume continues the exact
 * optimiser trajectory.
 */
import * as tf from "@tensorflow/tfjs-core";
import { savedVariables, type SslModel } from "../core/models/build";
import type { Optimizer } from "../core/optim";
import type { NamedArray } from "../core/run/checkpoint";

export function modelArrays(model: SslModel, optimizer: Optimizer): Promise<NamedArray[]> {
  const weights = savedVariables(model).map(({ name, variable }) => ({ name, shape: variable.shape, values: variable.dataSync() as Float32Array }));
  return optimizer.exportSlots().then((slots) => [
    ...weights,
    ...slots.map((s) => ({ name: `optimizer/${s.name}`, shape: s.shape, values: s.values })),
  ]);
}

/** Every saved variable of the model from a checkpoint's arrays; the optimiser's slots are left alone. */
export function restoreWeights(model: SslModel, arrays: Map<string, NamedArray>, dir: string): void {
  for (const { name, variable } of savedVariables(model)) {
    const a = arrays.get(name);
    if (!a || a.values.length !== variable.size) throw new Error(`${dir}: checkpoint lacks "${name}" or its shape differs (was the config changed?)`);
    tf.tidy(() => variable.assign(tf.tensor(a.values, variable.shape)));
  }
}

export function restoreModel(model: SslModel, optimizer: Optimizer, arrays: Map<string, NamedArray>, stepCount: number, dir: string): void {
  restoreWeights(model, arrays, dir);
  const slots = [...arrays.values()]
    .filter((a) => a.name.startsWith("optimizer/"))
    .map((a) => ({ name: a.name.slice("optimizer/".length), shape: a.shape, values: a.values }));
  optimizer.loadSlots(slots, stepCount);
}
