/**
 * Rotate / shear / translate as one per-sample affine warp (tf.image.transform),
 * with torchvision's conventions: pixel-index coordinates, rotation and shear
 * about the centre ((W-1)/2, (H-1)/2), as torchvision's tensor F.affine /
 * F.rotate with center=None. Nearest sampling rounds half away from zero
 * (torch rounds half to even): they differ only on exact ties.
 */
import * as tf from "@tensorflow/tfjs-core";
import { applyPerSample, backendPasses } from "./perSample";

/** Inverse affine map, torchvision convention: output pixel (x, y) (column, row, pixel-index coords) samples input at (a*x + b*y + c, d*x + e*y + f). */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** The map in - centre = [[a, b], [d, e]] (out - centre), as an AffineMatrix. */
function aboutCentre(a: number, b: number, d: number, e: number, height: number, width: number): AffineMatrix {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return [a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy];
}

/** Counter-clockwise rotation by `degrees` about the centre, as torchvision F.rotate. */
export function rotateMatrix(degrees: number, height: number, width: number): AffineMatrix {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  // Rows grow downwards, so a counter-clockwise turn samples (cos, -sin; sin, cos).
  return aboutCentre(cos, -sin, sin, cos, height, width);
}

/**
 * Shear by factors (tan of the angles) about the centre: torchvision
 * F.affine(shear=[deg(atan(shearX)), deg(atan(shearY))]), whose inverse is
 * [[1 + sx*sy, sx], [sy, 1]] (_get_inverse_affine_matrix, angle 0). A
 * positive shearX moves the bottom rows left and the top rows right.
 */
export function shearMatrix(shearX: number, shearY: number, height: number, width: number): AffineMatrix {
  return aboutCentre(1 + shearX * shearY, shearX, shearY, 1, height, width);
}

/** Shift by (dx, dy) pixels: output(x, y) = input(x - dx, y - dy). */
export function translateMatrix(dx: number, dy: number): AffineMatrix {
  return [1, 0, -dx, 0, 1, -dy];
}

/**
 * tfjs-backend-cpu's Transform returns after the first image of the batch
 * (4.22), leaving the others filled; there, one call per image.
 */
function batchedTransformSound(): boolean {
  const id = [1, 0, 0, 0, 1, 0, 0, 0];
  const y = tf.image.transform(tf.ones([2, 1, 1, 1]), tf.tensor2d([...id, ...id], [2, 8]), "nearest", "constant", 0);
  return y.dataSync()[1] === 1;
}

/**
 * Warp each image by its inverse map (null: unchanged). Samples outside the
 * image read `fill` (bilinear blends it in at the border, as torchvision's
 * fill mask does).
 */
export function affine(
  x: tf.Tensor4D,
  matrices: readonly (AffineMatrix | null)[],
  interpolation: "nearest" | "bilinear",
  fill: number,
): tf.Tensor4D {
  if (interpolation !== "nearest" && interpolation !== "bilinear") {
    throw new Error(`affine: interpolation must be "nearest" or "bilinear", got ${String(interpolation)}`);
  }
  if (!(fill >= 0 && fill <= 1)) throw new Error(`affine: fill must be in [0, 1], got ${fill}`);
  for (const m of matrices) {
    if (m !== null && (m.length !== 6 || !m.every(Number.isFinite))) {
      throw new Error(`affine: bad matrix ${JSON.stringify(m)}`);
    }
  }
  return applyPerSample("affine", x, matrices, (sub, ms) => {
    const rows = ms.map((m) => [...m, 0, 0]);
    const warped =
      ms.length === 1 || backendPasses("Transform", batchedTransformSound)
        ? tf.image.transform(sub, tf.tensor2d(rows, [ms.length, 8]), interpolation, "constant", fill)
        : tf.concat(
            rows.map((row, i) =>
              tf.image.transform(tf.slice(sub, [i, 0, 0, 0], [1, -1, -1, -1]), tf.tensor2d([row], [1, 8]), interpolation, "constant", fill),
            ),
            0,
          );
    // Bilinear weights may sum to 1 + 1 ulp in float32.
    return interpolation === "bilinear" ? tf.clipByValue(warped, 0, 1) : warped;
  });
}
