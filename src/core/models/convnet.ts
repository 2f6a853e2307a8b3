/**
 * A small ConvNet for quick runs on a CPU: four 3x3 conv-BN-ReLU stages, the
 * last three with stride 2, then global average pooling.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchNorm } from "./batchNorm";
import { ParamBuilder, conv, globalAvgPool, type ForwardContext } from "./layers";
import { convBackbone, type Backbone } from "./network";

export function convnet(b: ParamBuilder, prefix: string, inChannels: number, width: number): Backbone {
  const widths = [32, 64, 128, 256].map((c) => Math.max(1, Math.round(c * width)));
  let cin = inChannels;
  const stages = widths.map((cout, i) => {
    const stage = { stride: i === 0 ? 1 : 2, kernel: b.conv(`${prefix}.conv${i + 1}`, 3, cin, cout), bn: b.batchNorm(`${prefix}.bn${i + 1}`, cout) };
    cin = cout;
    return stage;
  });
  const forward = (x: tf.Tensor, ctx: ForwardContext, pooled?: tf.Tensor2D[]) => {
    let h = x as tf.Tensor4D;
    for (const s of stages) {
      h = tf.relu(batchNorm(conv(h, s.kernel, s.stride), s.bn, ctx)) as tf.Tensor4D;
      pooled?.push(globalAvgPool(h));
    }
    return h;
  };
  return convBackbone(cin, stages.map((_, i) => `conv${i + 1}`), forward);
}
