/**
 * BatchNorm with PyTorch semantics: batch statistics in training (running
 * statistics updated with momentum 0.1 and the unbiased variance), running
 * statistics in evaluation.
 *
 * Training mode has its own gradient: tfjs's batchNorm gradient tiles tensors
 * and reduces over outer axes, both generic slow loops on the wasm backend
 * (they took most of a step). Here every per-channel sum is a matrix product
 * with a row of ones, which XNNPACK runs fast on every backend.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BatchNormVars, ForwardContext } from "./layers";

const MOMENTUM = 0.1;
const EPS = 1e-5;

/** Per-channel sums of a [rows, C] matrix as [1, C]. */
function channelSum(x: tf.Tensor2D, ones: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(ones, x);
}

export function batchNorm(x: tf.Tensor, bn: BatchNormVars, ctx: ForwardContext): tf.Tensor {
  if (!ctx.training) return tf.batchNorm(x, bn.runningMean, bn.runningVar, bn.beta, bn.gamma, EPS);
  const channels = x.shape[x.rank - 1]!;
  const rows = x.size / channels;
  const momentum = ctx.bnMomentum ?? MOMENTUM;
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, gamma, beta] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const x2 = tf.reshape(input!, [rows, channels]) as tf.Tensor2D;
    const ones = tf.ones([1, rows]) as tf.Tensor2D;
    const mean = tf.div(channelSum(x2, ones), rows);
    const centered = tf.sub(x2, mean) as tf.Tensor2D;
    const variance = tf.div(channelSum(tf.square(centered), ones), rows);
    const invStd = tf.rsqrt(tf.add(variance, EPS));
    const xhat = tf.mul(centered, invStd) as tf.Tensor2D;
    const unbiased = tf.mul(variance, rows / Math.max(rows - 1, 1));
    ctx.updates.push(
      { variable: bn.runningMean, value: tf.keep(tf.reshape(tf.add(tf.mul(bn.runningMean, 1 - momentum), tf.mul(mean, momentum)), [channels])) },
      { variable: bn.runningVar, value: tf.keep(tf.reshape(tf.add(tf.mul(bn.runningVar, 1 - momentum), tf.mul(unbiased, momentum)), [channels])) },
    );
    save([xhat, invStd, gamma!, ones]);
    return {
      value: tf.reshape(tf.add(tf.mul(xhat, gamma!), beta!), input!.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sInvStd, sGamma, sOnes] = saved as [tf.Tensor2D, tf.Tensor, tf.Tensor, tf.Tensor2D];
        const dy2 = tf.reshape(dy, [rows, channels]) as tf.Tensor2D;
        const dBeta = channelSum(dy2, sOnes);
        const dGamma = channelSum(tf.mul(dy2, sxhat) as tf.Tensor2D, sOnes);
        // dx = gamma / (rows * std) * (rows * dy - sum(dy) - xhat * sum(dy * xhat))
        const inner = tf.sub(tf.sub(tf.mul(dy2, rows), dBeta), tf.mul(sxhat, dGamma));
        const dx = tf.mul(inner, tf.div(tf.mul(sGamma, sInvStd), rows));
        return [tf.reshape(dx, dy.shape), tf.reshape(dGamma, [channels]), tf.reshape(dBeta, [channels])];
      },
    };
  });
  return normalize(x, bn.gamma, bn.beta);
}
