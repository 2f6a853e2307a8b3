/**
 * Tone curves: solarize, posterize, invert, autocontrast, equalize, with
 * torchvision's semantics (posterize and equalize on the uint8 values
 * round(x*255), as torchvision does on uint8 tensors). Per-sample choices
 * are blends with a 0/1 step rather than compare/where, which broadcast
 * slowly on wasm.
 */
import * as tf from "@tensorflow/tfjs-core";
import { applyPerSample, flags, perSample } from "./perSample";

/** Pixels >= threshold become 1 - x (threshold in [0, 1], compared in float32). */
export function solarize(x: tf.Tensor4D, thresholds: readonly (number | null)[]): tf.Tensor4D {
  for (const t of thresholds) {
    if (t !== null && !Number.isFinite(t)) throw new Error(`solarize: bad threshold ${t}`);
  }
  return applyPerSample("solarize", x, thresholds, (sub, ts) => {
    // keep = step(t - x) is 1 where x < t (float subtraction keeps the sign exactly); 0 where x >= t.
    const keep = tf.step(tf.sub(perSample(ts), sub));
    // x*keep + (1-x)*(1-keep): exactly x or exactly 1 - x.
    return tf.add(tf.mul(sub, keep), tf.mul(tf.sub(1, sub), tf.sub(1, keep)));
  });
}

/** Keep the top `bits` (0..8) bits of round(x*255). */
export function posterize(x: tf.Tensor4D, bits: readonly (number | null)[]): tf.Tensor4D {
  for (const b of bits) {
    if (b !== null && !(Number.isInteger(b) && b >= 0 && b <= 8)) throw new Error(`posterize: bits must be an integer in 0..8, got ${b}`);
  }
  return applyPerSample("posterize", x, bits, (sub, bs) => {
    const v = tf.round(tf.mul(tf.clipByValue(sub, 0, 1), 255));
    // v & ~(2^s - 1) = floor(v / 2^s) * 2^s, s = 8 - bits; powers of two are exact.
    const kept = tf.mul(tf.floor(tf.mul(v, perSample(bs.map((b) => 2 ** (b - 8))))), perSample(bs.map((b) => 2 ** (8 - b))));
    return tf.div(kept, 255);
  });
}

/** 1 - x where fire[b]. */
export function invert(x: tf.Tensor4D, fire: readonly boolean[]): tf.Tensor4D {
  return applyPerSample("invert", x, flags(fire), (sub) => tf.sub(1, sub));
}

/**
 * torchvision autocontrast: per image and channel, (x - min) / (max - min),
 * clipped; a constant channel is left as it is.
 */
export function autoContrast(x: tf.Tensor4D, fire: readonly boolean[]): tf.Tensor4D {
  return applyPerSample("autoContrast", x, flags(fire), (sub) => {
    const lo = tf.min(sub, [1, 2], true); // [n,1,1,C]
    const range = tf.sub(tf.max(sub, [1, 2], true), lo);
    const flat = tf.cast(tf.equal(range, 0), "float32"); // constant channel: scale 1, offset 0
    const scale = tf.div(1, tf.add(range, flat));
    const offset = tf.mul(tf.neg(lo), tf.mul(scale, tf.sub(1, flat)));
    return tf.clipByValue(tf.add(tf.mul(sub, scale), offset), 0, 1);
  });
}

/**
 * Histogram equalisation per image and channel, PIL ImageOps.equalize (and
 * torchvision's uint8 equalize): on v = round(x*255), with n pixels and
 * `last` the count of the highest value present, step = (n - last) // 255;
 * step 0 leaves the channel as it is (quantised), else
 * lut[v] = min(255, (cumsum_before(v) + step // 2) // step).
 *
 * In float32, which is exact here: counts and bin indices are integers below
 * 2^24, and floor(a / b) of such integers is exact after rounding. (int32
 * ops that broadcast, and floorDiv/div/compare broadcasts, are 20-40x slower
 * on wasm than a same-shape op, so [G,1] operands are widened by a matMul.)
 */
export function equalize(x: tf.Tensor4D, fire: readonly boolean[]): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  if (H * W >= 2 ** 24 || 256 * B * C >= 2 ** 24) throw new Error(`equalize: batch ${x.shape} too large for exact float32 counts`);
  return applyPerSample("equalize", x, flags(fire), (sub) => {
    const n = sub.shape[0];
    const G = n * C; // one histogram per image and channel, row g = b*C + c
    const N = H * W;
    const offsets = tf.tensor4d(Float32Array.from({ length: G }, (_, g) => 256 * g), [n, 1, 1, C]);
    const index: tf.Tensor1D = tf.cast(tf.reshape(tf.add(tf.round(tf.mul(tf.clipByValue(sub, 0, 1), 255)), offsets), [-1]), "int32");
    const hist = tf.reshape(tf.denseBincount(index, tf.tensor1d([], "float32"), 256 * G), [G, 256]);
    const before = tf.cumsum(hist, 1, true); // pixels below each level
    // before < N exactly up to the highest level present, so the largest such value is N - last.
    const belowTop = tf.max(tf.mul(before, tf.step(tf.sub(N, before))), 1, true); // [G,1]
    const step = tf.floor(tf.div(belowTop, 255)); // (N - last) // 255
    const identity = tf.cast(tf.equal(step, 0), "float32"); // [G,1]
    const widen = (col: tf.Tensor) => tf.matMul(col as tf.Tensor2D, tf.ones([1, 256]));
    const lut = tf.clipByValue(tf.floor(tf.div(tf.add(before, tf.floor(tf.div(step, 2))), widen(tf.maximum(step, 1)))), 0, 255);
    const table = tf.add(tf.mul(lut, tf.sub(1, identity)), tf.matMul(identity, tf.reshape(tf.range(0, 256), [1, 256])));
    // gather is slow on wasm (~0.1 us a pixel), but this is one lookup per pixel.
    const out = tf.gather(tf.reshape(table, [-1]), index);
    return tf.div(tf.reshape(out, [n, H, W, C]), 255);
  });
}

