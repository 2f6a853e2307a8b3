/** Cutout / random erasing: fill one box per sample with a constant. */
import * as tf from "@tensorflow/tfjs-core";
import { applyPerSample } from "./perSample";

/** Integer pixels; the part outside the image is ignored. value in [0, 1]. */
export interface CutoutBox {
  top: number;
  left: number;
  height: number;
  width: number;
  value: number;
}

/**
 * x * keep + fill with 0/1 masks built on the CPU at full size (a [n,H,W,1]
 * broadcast is ~3x slower on wasm): exactly x outside the box, exactly value
 * inside.
 */
export function cutout(x: tf.Tensor4D, boxes: readonly (CutoutBox | null)[]): tf.Tensor4D {
  for (const b of boxes) {
    if (b === null) continue;
    const ints = [b.top, b.left, b.height, b.width].every(Number.isInteger);
    if (!ints || b.height < 0 || b.width < 0 || !(b.value >= 0 && b.value <= 1)) {
      throw new Error(`cutout: bad box ${JSON.stringify(b)} (integer pixels, size >= 0, value in [0, 1])`);
    }
  }
  return applyPerSample("cutout", x, boxes, (sub, bs) => {
    const [n, H, W, C] = sub.shape;
    const keep = new Float32Array(n * H * W * C).fill(1);
    const fill = new Float32Array(n * H * W * C);
    bs.forEach((box, b) => {
      const y0 = Math.max(0, box.top);
      const y1 = Math.min(H, box.top + box.height);
      const x0 = Math.max(0, box.left);
      const x1 = Math.min(W, box.left + box.width);
      for (let y = y0; y < y1; y++) {
        const start = ((b * H + y) * W + x0) * C;
        const end = ((b * H + y) * W + Math.max(x0, x1)) * C;
        keep.fill(0, start, end);
        fill.fill(box.value, start, end);
      }
    });
    const shape: [number, number, number, number] = [n, H, W, C];
    return tf.add(tf.mul(sub, tf.tensor4d(keep, shape)), tf.tensor4d(fill, shape));
  });
}
