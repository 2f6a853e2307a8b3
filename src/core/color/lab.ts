/**
 * CIE L*a*b* from sRGB (IEC 61966-2-1, D65 white), as colorization needs it
 * (Zhang et al. 2016 work in Lab: predict a*b* from L*). The formulas are
 * the standard ones (skimage.color.rgb2lab, OpenCV's float path):
 *
 *   sRGB -> linear:  c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055)^2.4
 *   linear -> XYZ:   the sRGB matrix below
 *   XYZ -> Lab:      f(t) = t > (6/29)^3 ? t^(1/3) : t / (3 (6/29)^2) + 4/29
 *                    L = 116 f(Y/Yn) - 16, a = 500 (f(X/Xn) - f(Y/Yn)), b = 200 (f(Y/Yn) - f(Z/Zn))
 *
 * White (1, 1, 1) -> (100, 0, 0); red (1, 0, 0) -> (53.24, 80.09, 67.20).
 * Scalar functions for tables and tests, tensor functions for batches.
 */
import * as tf from "@tensorflow/tfjs-core";

/** D65 reference white (2° observer), Y normalised to 1. */
export const D65 = [0.95047, 1, 1.08883] as const;

/** Linear sRGB -> XYZ, rows X, Y, Z. */
const RGB_TO_XYZ = [
  [0.4124564, 0.3575761, 0.1804375],
  [0.2126729, 0.7151522, 0.072175],
  [0.0193339, 0.119192, 0.9503041],
] as const;

/** XYZ -> linear sRGB: the inverse of RGB_TO_XYZ (computed, so round trips are exact to rounding). */
const XYZ_TO_RGB = invert3(RGB_TO_XYZ);

function invert3(m: readonly (readonly number[])[]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m as number[][] as [[number, number, number], [number, number, number], [number, number, number]];
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

const DELTA = 6 / 29;
const EPSILON = DELTA ** 3;

const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const fromLinear = (c: number) => (c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055);
const f = (t: number) => (t > EPSILON ? Math.cbrt(t) : t / (3 * DELTA * DELTA) + 4 / 29);
const fInverse = (t: number) => (t > DELTA ? t ** 3 : 3 * DELTA * DELTA * (t - 4 / 29));

/** sRGB in [0, 1] -> [L, a, b] (L in [0, 100]). */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lin = [toLinear(r), toLinear(g), toLinear(b)];
  const [fx, fy, fz] = RGB_TO_XYZ.map((row, i) => f((row[0] * lin[0]! + row[1] * lin[1]! + row[2] * lin[2]!) / D65[i]!));
  return [116 * fy! - 16, 500 * (fx! - fy!), 200 * (fy! - fz!)];
}

/** [L, a, b] -> sRGB, not clipped (out-of-gamut colours leave [0, 1]). */
export function labToSrgb(l: number, a: number, b: number): [number, number, number] {
  const fy = (l + 16) / 116;
  const xyz = [fInverse(fy + a / 500) * D65[0], fInverse(fy) * D65[1], fInverse(fy - b / 200) * D65[2]];
  const [r, g, bl] = XYZ_TO_RGB.map((row) => fromLinear(row[0]! * xyz[0]! + row[1]! * xyz[1]! + row[2]! * xyz[2]!));
  return [r!, g!, bl!];
}

/** Images [N, H, W, 3] in [0, 1] (clipped) -> Lab [N, H, W, 3], channels L, a, b. */
export function rgbToLab(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const rgb = tf.clipByValue(x, 0, 1);
    const lin = tf.where(tf.lessEqual(rgb, 0.04045), tf.div(rgb, 12.92), tf.pow(tf.div(tf.add(rgb, 0.055), 1.055), 2.4));
    // Rows of the matrix scaled by the white point, so XYZ comes out normalised.
    const m = tf.tensor2d(RGB_TO_XYZ.map((row, i) => row.map((v) => v / D65[i]!)), [3, 3]);
    const t = tf.matMul(tf.reshape(lin, [-1, 3]), m, false, true);
    const ft = tf.where(tf.greater(t, EPSILON), tf.pow(tf.maximum(t, EPSILON), 1 / 3), tf.add(tf.div(t, 3 * DELTA * DELTA), 4 / 29));
    const [fx, fy, fz] = tf.split(ft, 3, 1);
    const lab = tf.concat([tf.sub(tf.mul(fy!, 116), 16), tf.mul(tf.sub(fx!, fy!), 500), tf.mul(tf.sub(fy!, fz!), 200)], 1);
    return tf.reshape(lab, x.shape) as tf.Tensor4D;
  });
}

/** Lab [N, H, W, 3] -> sRGB [N, H, W, 3], clipped to [0, 1]. */
export function labToRgb(lab: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [l, a, b] = tf.split(tf.reshape(lab, [-1, 3]), 3, 1);
    const fy = tf.div(tf.add(l!, 16), 116);
    const fs = tf.concat([tf.add(fy, tf.div(a!, 500)), fy, tf.sub(fy, tf.div(b!, 200))], 1);
    const t = tf.where(tf.greater(fs, DELTA), tf.pow(fs, 3), tf.mul(tf.sub(fs, 4 / 29), 3 * DELTA * DELTA));
    const m = tf.tensor2d(XYZ_TO_RGB.map((row) => row.map((v, j) => v * D65[j]!)), [3, 3]);
    const lin = tf.matMul(t, m, false, true);
    const rgb = tf.where(
      tf.lessEqual(lin, 0.0031308),
      tf.mul(lin, 12.92),
      tf.sub(tf.mul(tf.pow(tf.maximum(lin, 0.0031308), 1 / 2.4), 1.055), 0.055),
    );
    return tf.reshape(tf.clipByValue(rgb, 0, 1), lab.shape) as tf.Tensor4D;
  });
}

/** L* of images [N, H, W, 3] in [0, 1] divided by 100: [N, H, W, 1] in [0, 1] (only Y is needed). */
export function rgbToLightness(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const rgb = tf.clipByValue(x, 0, 1);
    const lin = tf.where(tf.lessEqual(rgb, 0.04045), tf.div(rgb, 12.92), tf.pow(tf.div(tf.add(rgb, 0.055), 1.055), 2.4));
    const y = tf.matMul(tf.reshape(lin, [-1, 3]), tf.tensor2d([RGB_TO_XYZ[1].map((v) => v / D65[1])], [1, 3]), false, true);
    const fy = tf.where(tf.greater(y, EPSILON), tf.pow(tf.maximum(y, EPSILON), 1 / 3), tf.add(tf.div(y, 3 * DELTA * DELTA), 4 / 29));
    const [n, h, w] = x.shape;
    return tf.reshape(tf.div(tf.sub(tf.mul(fy, 116), 16), 100), [n, h, w, 1]) as tf.Tensor4D;
  });
}
