/**
 * ResNet-18 for small images as in SimCLR's CIFAR-10 experiments: the 7x7
 * stride-2 stem and max-pool become one 3x3 stride-1 conv, so 32x32 inputs
 * keep their resolution into the first stage.
 */
import * as tf from "@tensorflow/tfjs-core";
import { batchNorm } from "./batchNorm";
import { ParamBuilder, conv, globalAvgPool, type BatchNormVars, type ForwardContext } from "./layers";
import { convBackbone, type Backbone } from "./network";

interface Block {
  stride: number;
  conv1: tf.Variable;
  bn1: BatchNormVars;
  conv2: tf.Variable;
  bn2: BatchNormVars;
  shortcut?: { conv: tf.Variable; bn: BatchNormVars };
}

function basicBlock(b: ParamBuilder, name: string, cin: number, cout: number, stride: number): Block {
  return {
    stride,
    conv1: b.conv(`${name}.conv1`, 3, cin, cout),
    bn1: b.batchNorm(`${name}.bn1`, cout),
    conv2: b.conv(`${name}.conv2`, 3, cout, cout),
    bn2: b.batchNorm(`${name}.bn2`, cout),
    shortcut:
      stride !== 1 || cin !== cout
        ? { conv: b.conv(`${name}.shortcut.conv`, 1, cin, cout), bn: b.batchNorm(`${name}.shortcut.bn`, cout) }
        : undefined,
  };
}

function applyBlock(x: tf.Tensor4D, blk: Block, ctx: ForwardContext): tf.Tensor4D {
  let y = tf.relu(batchNorm(conv(x, blk.conv1, blk.stride), blk.bn1, ctx)) as tf.Tensor4D;
  y = batchNorm(conv(y, blk.conv2, 1), blk.bn2, ctx) as tf.Tensor4D;
  const skip = blk.shortcut ? (batchNorm(conv(x, blk.shortcut.conv, blk.stride), blk.shortcut.bn, ctx) as tf.Tensor4D) : x;
  return tf.relu(tf.add(y, skip)) as tf.Tensor4D;
}

export function resnet18(b: ParamBuilder, prefix: string, inChannels: number, width: number): Backbone {
  const widths = [64, 128, 256, 512].map((c) => Math.max(1, Math.round(c * width)));
  const stemConv = b.conv(`${prefix}.stem.conv`, 3, inChannels, widths[0]!);
  const stemBn = b.batchNorm(`${prefix}.stem.bn`, widths[0]!);
  const blocks: Block[] = [];
  let cin = widths[0]!;
  widths.forEach((cout, stage) => {
    for (let i = 0; i < 2; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      blocks.push(basicBlock(b, `${prefix}.layer${stage + 1}.${i}`, cin, cout, stride));
      cin = cout;
    }
  });
  const forward = (x: tf.Tensor, ctx: ForwardContext, pooled?: tf.Tensor2D[]) => {
    let h = tf.relu(batchNorm(conv(x as tf.Tensor4D, stemConv, 1), stemBn, ctx)) as tf.Tensor4D;
    blocks.forEach((blk, i) => {
      h = applyBlock(h, blk, ctx);
      // Two blocks per stage: pool after the second.
      if (i % 2 === 1) pooled?.push(globalAvgPool(h));
    });
    return h;
  };
  return convBackbone(cin, widths.map((_, i) => `layer${i + 1}`), forward);
}
