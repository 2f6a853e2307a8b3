import * as tf from "@tensorflow/tfjs-core";

/**
 * Applies a network to every view, batching the views of one size together
 * (one forward pass, one BatchNorm statistic over them, as SimCLR and the
 * multi-crop methods do). Returns one output per view, in order.
 */
export function applyToViews(net: (x: tf.Tensor4D) => tf.Tensor2D, views: tf.Tensor4D[]): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = new Array(views.length);
  const bySize = new Map<string, number[]>();
  views.forEach((v, i) => {
    const key = `${v.shape[1]}x${v.shape[2]}`;
    bySize.set(key, [...(bySize.get(key) ?? []), i]);
  });
  for (const group of bySize.values()) {
    const y = net(group.length === 1 ? views[group[0]!]! : tf.concat(group.map((i) => views[i]!), 0));
    const parts = group.length === 1 ? [y] : (tf.split(y, group.length, 0) as tf.Tensor2D[]);
    group.forEach((viewIndex, k) => (out[viewIndex] = parts[k]!));
  }
  return out;
}
