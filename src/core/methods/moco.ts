/**
 * MoCo v2 (He et al. 2020; Chen et al. 2020): queries from the online
 * encoder, keys from a momentum (EMA) copy of it, and a queue of past keys as
 * negatives, so the negatives outnumber the batch. On one device the
 * key encoder's BatchNorm would let a query find its key through the batch
 * statistics; as MoCo's shuffled BN across GPUs, keys are shuffled and the
 * batch split into groups with their own statistics.
 */
import * as tf from "@tensorflow/tfjs-core";
import { moco as mocoLoss } from "../losses";
import { l2normalize } from "../losses/normalize";
import { mlp } from "../models/mlp";
import type { ForwardContext } from "../models/layers";
import { Rng } from "../random";
import { emaUpdate, initTargets, TARGET_PREFIX } from "./ema";
import type { MethodFactory } from "./method";

/** Applies `net` to `x` in `groups` groups of consecutive rows, each with its own BatchNorm statistics; with `order`, rows are first permuted by it and put back after. */
function groupedForward(net: (x: tf.Tensor4D) => tf.Tensor2D, x: tf.Tensor4D, groups: number, order?: Int32Array): tf.Tensor2D {
  const n = x.shape[0];
  const g = Math.max(1, Math.min(groups, Math.floor(n / 2)));
  const input = order ? tf.gather(x, order) : x;
  const sizes = Array.from({ length: g }, (_, i) => Math.floor(((i + 1) * n) / g) - Math.floor((i * n) / g));
  const out = tf.concat((tf.split(input, sizes, 0) as tf.Tensor4D[]).map(net), 0) as tf.Tensor2D;
  if (!order) return out;
  const inverse = new Int32Array(n);
  order.forEach((src, dst) => (inverse[src] = dst));
  return tf.gather(out, inverse);
}

export const moco: MethodFactory = ({ config, backbone, vars, state, makeBackbone }) => {
  const { temperature, momentum, queueSize, bnGroups } = config.moco;
  const dims = [backbone.outDim, config.model.projectorHidden, config.model.projectorOut];
  const head = mlp(vars, "head", dims);
  const keyBackbone = makeBackbone(state, `${TARGET_PREFIX}backbone`);
  const keyHead = mlp(state, `${TARGET_PREFIX}head`, dims);
  const pairs = initTargets(vars, state);
  // MoCo starts from random unit keys; they are replaced within queueSize / batch steps.
  const rng = Rng.derive(config.seed, "moco.queue");
  const d = config.model.projectorOut;
  const queue = state.buffer("moco.queue", [queueSize, d], Float32Array.from({ length: queueSize * d }, () => rng.normal()));
  queue.assign(tf.tidy(() => l2normalize(queue as tf.Tensor2D)));
  const queuePtr = state.buffer("moco.queuePtr", [1], 0);

  const embed = (x: tf.Tensor4D, ctx: ForwardContext) => head.apply(backbone.apply(x, ctx), ctx);
  return {
    embed,
    forward([v1, v2], ctx, progress) {
      const q = groupedForward((x) => embed(x, ctx), v1!, bnGroups);
      const order = Rng.derive(config.seed, "moco.shuffle", progress.step).permutation(v2!.shape[0]);
      const k = groupedForward((x) => keyHead.apply(keyBackbone.apply(x, ctx), ctx), v2!, bnGroups, order);
      return { q, k };
    },
    objective: ({ q, k }) => mocoLoss({ q: q as tf.Tensor2D, k: k as tf.Tensor2D, queue: queue as tf.Tensor2D }, { temperature }),
    afterStep({ k }) {
      emaUpdate(pairs, momentum);
      // Enqueue the newest keys over the oldest (a ring buffer).
      const n = Math.min(k!.shape[0], queueSize);
      const ptr = queuePtr.dataSync()[0]!;
      tf.tidy(() => {
        const rows = tf.tensor2d(Int32Array.from({ length: n }, (_, i) => (ptr + i) % queueSize), [n, 1], "int32");
        const keys = l2normalize(tf.slice(k as tf.Tensor2D, [0, 0], [n, -1]));
        const mask = tf.expandDims(tf.scatterND(rows, tf.ones([n]), [queueSize]), 1);
        const placed = tf.scatterND(rows, keys, [queueSize, d]);
        queue.assign(tf.add(tf.mul(queue, tf.sub(1, mask)), placed));
        queuePtr.assign(tf.tensor1d([(ptr + n) % queueSize]));
      });
    },
  };
};
