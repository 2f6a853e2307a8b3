/**
 * RotNet (Gidaris et al. 2018, "Unsupervised Representation Learning by
 * Predicting Image Rotations"): every image is shown rotated by 0, 90, 180
 * and 270 degrees, all four in the same batch (the paper found that better
 * than one random rotation per image), and a 4-way classifier on the pooled
 * backbone features says which rotation it sees. Recognising "up" needs the
 * objects' shape, pose and location, which is what the features must learn.
 *
 * Outputs: logits [N, 4 rotations, 4 classes], image-major, so the gradient
 * cache can slice them by image.
 */
import * as tf from "@tensorflow/tfjs-core";
import { rotate90 } from "../eval/rotationProbe";
import { mlp } from "../models/mlp";
import type { MethodFactory } from "./method";
import { softCrossEntropy } from "./pretext/crossEntropy";

export const ROTATION_CLASSES = 4;

/** Images [N, S, S, C] -> [4N, S, S, C]: each image's four rotations (0, 90, 180, 270 degrees counter-clockwise), image by image. */
export function fourRotations(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (h !== w) throw new Error(`rotnet needs square views, got ${h}x${w}`);
  const rotations = Array.from({ length: ROTATION_CLASSES }, (_, k) => rotate90(x, k));
  return tf.reshape(tf.stack(rotations, 1), [n * ROTATION_CLASSES, h, w, c]);
}

export const rotnet: MethodFactory = ({ config, backbone, vars }) => {
  const { headHidden } = config.rotnet;
  const dims = headHidden > 0 ? [backbone.outDim, headHidden, ROTATION_CLASSES] : [backbone.outDim, ROTATION_CLASSES];
  const classifier = mlp(vars, "head", dims, { batchNorm: true });
  return {
    forward(views, ctx) {
      const x = views[0]!;
      const logits = classifier.apply(backbone.apply(fourRotations(x), ctx), ctx);
      return { logits: tf.reshape(logits, [x.shape[0], ROTATION_CLASSES, ROTATION_CLASSES]) };
    },
    objective({ logits }) {
      // Row r of each image's [4, 4] block is rotation r: the labels are the identity.
      const labels = tf.tile(tf.expandDims(tf.eye(ROTATION_CLASSES), 0), [logits!.shape[0], 1, 1]);
      return softCrossEntropy(logits!, labels);
    },
  };
};
