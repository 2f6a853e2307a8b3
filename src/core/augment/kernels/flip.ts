/** Horizontal and vertical flips, one flag per sample. */
import * as tf from "@tensorflow/tfjs-core";
import { checkLength } from "./perSample";

/**
 * One nearest cropAndResize over the whole batch: a box with x1 > x2 (or
 * y1 > y2) reads the columns (rows) in reverse, at integer positions, so the
 * copy is exact; unflipped samples get the plain box. (tf.reverse is ~10x
 * slower on wasm.)
 */
function flip(name: string, x: tf.Tensor4D, fire: readonly boolean[], box: readonly number[]): tf.Tensor4D {
  checkLength(name, x, fire);
  if (!fire.some(Boolean)) return x.clone();
  const [B, H, W] = x.shape;
  const boxes = new Float32Array(4 * B);
  fire.forEach((f, b) => boxes.set(f ? box : [0, 0, 1, 1], 4 * b));
  return tf.tidy(() =>
    tf.image.cropAndResize(
      x,
      tf.tensor2d(boxes, [B, 4]),
      tf.tensor1d(Int32Array.from({ length: B }, (_, b) => b), "int32"),
      [H, W],
      "nearest",
    ),
  );
}

/** Mirror left-right the images where fire[b]. */
export function hflip(x: tf.Tensor4D, fire: readonly boolean[]): tf.Tensor4D {
  return flip("hflip", x, fire, [0, 1, 1, 0]);
}

/** Mirror top-bottom the images where fire[b]. */
export function vflip(x: tf.Tensor4D, fire: readonly boolean[]): tf.Tensor4D {
  return flip("vflip", x, fire, [1, 0, 0, 1]);
}
