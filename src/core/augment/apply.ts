/**
 * The pixel part of augmentation: a batch of images through one view's ops,
 * as batched TensorFlow.js ops on whatever backend is active (on a GPU backend
 * augmentation runs on the GPU). Per-sample parameters come from sample.ts;
 * an op that did not fire leaves its sample untouched. Training, the preview
 * and the CLI all call applyView, so they produce the same pixels.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { OpSpec } from "../config/augmentSchema";
import * as k from "./kernels";
import { randAugmentOp, type DrawOf as D, type OpDraw, type ViewPlan } from "./sample";
import { colorJitter, cropResizeFlip, randomGrayscale } from "./simclrView";
import type { ViewInstance } from "./views";
import { paintRegions, randomPalette } from "../saliency/recolor";
import type { RegionMap } from "../saliency/types";

type Draws = readonly (OpDraw | null)[];

/** The draws of one op as the kernel's per-sample parameter (null = unchanged). */
function each<T>(draws: Draws, pick: (d: OpDraw) => T): (T | null)[] {
  return draws.map((d) => (d === null ? null : pick(d)));
}
const fired = (draws: Draws) => draws.map((d) => d !== null);

/** One op on a batch already at the view size. */
function runOp(x: tf.Tensor4D, spec: OpSpec, draws: Draws): tf.Tensor4D {
  const [, H, W] = x.shape;
  switch (spec.op) {
    case "hflip":
      return k.hflip(x, fired(draws));
    case "vflip":
      return k.vflip(x, fired(draws));
    case "rotate":
      return k.affine(x, each(draws, (d) => k.rotateMatrix((d as D<"rotate">).degrees, H, W)), spec.interpolation, spec.fill);
    case "shearX":
    case "shearY": {
      const sx = spec.op === "shearX" ? 1 : 0;
      return k.affine(x, each(draws, (d) => k.shearMatrix(sx * (d as D<"shearX">).shear, (1 - sx) * (d as D<"shearX">).shear, H, W)), spec.interpolation, spec.fill);
    }
    case "translateX":
    case "translateY": {
      const px = (d: OpDraw) => (d as D<"translateX">).pixels;
      const m = each(draws, (d) => (spec.op === "translateX" ? k.translateMatrix(px(d), 0) : k.translateMatrix(0, px(d))));
      return k.affine(x, m, "nearest", spec.fill);
    }
    case "colorJitter":
      return colorJitter(x, draws as (D<"colorJitter"> | null)[]);
    case "brightness":
    case "contrast":
    case "saturation":
    case "sharpness":
      return k[spec.op](x, each(draws, (d) => (d as D<"brightness">).factor));
    case "grayscale":
      return randomGrayscale(x, fired(draws));
    case "gaussianBlur":
      return k.gaussianBlur(x, each(draws, (d) => (d as D<"gaussianBlur">).sigma), spec.kernelSize);
    case "solarize":
      return k.solarize(x, each(draws, (d) => (d as D<"solarize">).threshold));
    case "posterize":
      return k.posterize(x, each(draws, (d) => (d as D<"posterize">).bits));
    case "equalize":
    case "autoContrast":
    case "invert":
      return k[spec.op](x, fired(draws));
    case "cutout":
      return k.cutout(x, draws as (D<"cutout"> | null)[]);
    case "randAugment": {
      // Slot j applies each image's j-th drawn op; images that drew the same op share one kernel call.
      let y = x;
      for (let j = 0; j < spec.n; j++) {
        const slot = each(draws, (d) => (d as D<"randAugment">).ops[j]!);
        for (const name of spec.ops) {
          const mine = slot.map((d) => (d?.op === name ? d : null));
          if (mine.some((d) => d !== null)) y = runOp(y, randAugmentOp(name, 0), mine);
        }
      }
      return y === x ? x.clone() : y;
    }
    case "saliencyCut":
    case "randomResizedCrop":
    case "normalize":
      throw new Error(`${spec.op} is handled by applyView`);
  }
}

function normalize(x: tf.Tensor4D, mean: readonly number[], std: readonly number[]): tf.Tensor4D {
  const C = x.shape[3];
  const per = (v: readonly number[]) => tf.tensor1d(Array.from({ length: C }, (_, c) => v[v.length === 1 ? 0 : c]!));
  return tf.div(tf.sub(x, per(mean)), per(std));
}

export interface ApplyOptions {
  /** Apply a trailing normalize op (false for display: the preview shows the image before it). */
  normalize?: boolean;
  /** SaliencyCut's region map of a dataset image (from the cache): what the saliencyCut op paints. */
  regionMap?: (imageIndex: number) => RegionMap;
}

/**
 * The saliencyCut op: each image it fires on is replaced by its region map
 * painted with the draw's random palette (gray levels for 1-channel data).
 */
function saliencyCut(x: tf.Tensor4D, plans: readonly ViewPlan[], at: number, regionMap: ApplyOptions["regionMap"]): tf.Tensor4D {
  const [B, H, W, C] = x.shape;
  const draws = plans.map((p) => p.draws[at] as D<"saliencyCut"> | null);
  if (draws.every((d) => d === null)) return x;
  if (!regionMap) throw new Error("the saliencyCut op needs SaliencyCut results for the dataset (ssl-studio cache build <file.ssl.json>)");
  const painted = new Uint8Array(B * H * W * C);
  const fired = new Float32Array(B);
  draws.forEach((d, b) => {
    if (d === null) return;
    const map = regionMap(plans[b]!.imageIndex);
    if (map.regions.length !== H * W) throw new Error(`SaliencyCut result of image ${plans[b]!.imageIndex} has ${map.regions.length} pixels, the image ${H}x${W}`);
    paintRegions(map.regions, randomPalette(map.regionCount + 1, C as 1 | 3, d.palette), C as 1 | 3, painted.subarray(b * H * W * C, (b + 1) * H * W * C));
    fired[b] = 1;
  });
  const f = tf.tensor4d(fired, [B, 1, 1, 1]);
  return tf.add(tf.mul(x, tf.sub(1, f)), tf.mul(tf.div(tf.tensor4d(painted, [B, H, W, C], "float32"), 255), f));
}

/**
 * images float32 [B,H,W,C] in [0, 1] (C = 1 or 3), plans[b] drawn for image b;
 * out float32 [B,size,size,C]: in [0, 1], or normalised when the view ends with normalize.
 */
export function applyView(images: tf.Tensor4D, view: ViewInstance, plans: readonly ViewPlan[], options: ApplyOptions = {}): tf.Tensor4D {
  const [B, H, W, C] = images.shape;
  if (plans.length !== B) throw new Error(`applyView: ${B} images but ${plans.length} plans`);
  if (C !== 1 && C !== 3) throw new Error(`applyView: images must have 1 or 3 channels, got ${C}`);
  if (images.dtype !== "float32") throw new Error(`applyView: images must be float32 in [0, 1], got ${images.dtype}`);
  for (const p of plans) {
    if (p.srcHeight !== H || p.srcWidth !== W) throw new Error(`applyView: plans drawn for ${p.srcHeight}x${p.srcWidth} images, got ${H}x${W}`);
  }
  const cropAt = view.ops.findIndex((s) => s.op === "randomResizedCrop");
  return tf.tidy(() => {
    // Ops before the crop act on the source image: only saliencyCut may stand there (config check).
    let x: tf.Tensor4D = images;
    view.ops.forEach((spec, i) => {
      if (spec.op === "saliencyCut") x = saliencyCut(x, plans, i, options.regionMap);
    });
    const boxes = plans.map((p) => {
      const d = cropAt >= 0 ? (p.draws[cropAt] as D<"randomResizedCrop">) : null;
      return d ?? { top: 0, left: 0, height: H, width: W };
    });
    const untouched = cropAt < 0 && H === view.size && W === view.size;
    if (!untouched) x = cropResizeFlip(x, boxes, new Array<boolean>(B).fill(false), view.size, view.size);
    view.ops.forEach((spec, i) => {
      if (i <= cropAt || spec.op === "saliencyCut") return;
      if (spec.op === "normalize") {
        if (options.normalize !== false) x = normalize(x, spec.mean, spec.std);
        return;
      }
      x = runOp(x, spec, plans.map((p) => p.draws[i]!));
    });
    // Never hand back the caller's tensor: it would be disposed twice.
    return x === images ? x.clone() : x;
  });
}
