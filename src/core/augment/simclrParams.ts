/**
 * SimCLR view parameters, drawn on the CPU from the seeded Rng (never from
 * Math.random or tf's random ops), so a view is the same on every backend.
 * The pixels are transformed separately, as batched tensor ops, by
 * `applyViews` in simclrView.ts.
 *
 * Mirrors torchvision's SimCLR pipeline: RandomResizedCrop, RandomHorizontalFlip,
 * RandomApply([ColorJitter], p=jitterP), RandomGrayscale(p=grayscaleP).
 */
import type { Experiment } from "../config/schema";
import { Rng } from "../random";

export type AugmentConfig = Experiment["augment"];

/** A crop in source-image pixels (integers, like torchvision's (i, j, h, w)). */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** ColorJitter's ops, indexed as torchvision's `fn_idx` (0 brightness .. 3 hue). */
export const JITTER_OPS = ["brightness", "contrast", "saturation", "hue"] as const;
export type JitterOp = (typeof JITTER_OPS)[number];

export interface ColorJitterParams {
  /** The four ops in the order they are applied (a random permutation, as ColorJitter does). */
  order: JitterOp[];
  /** Multiply by this (1 = identity). */
  brightness: number;
  /** Blend with the mean of the grayscale image (1 = identity). */
  contrast: number;
  /** Blend with the grayscale image (1 = identity, 0 = grayscale). */
  saturation: number;
  /** Hue shift as a fraction of a full turn, in [-0.5, 0.5] (0 = identity). */
  hue: number;
}

export interface ViewParams {
  /** Size of the source image the crop refers to. */
  srcHeight: number;
  srcWidth: number;
  crop: CropBox;
  /** True when the 10 attempts failed and the central crop was used. */
  cropFallback: boolean;
  /** Horizontal flip (applied after the resize, as torchvision's pipeline does). */
  flip: boolean;
  /** Colour jitter, or null when it was not applied (probability 1 - jitterP). */
  jitter: ColorJitterParams | null;
  grayscale: boolean;
}

/** Python's round(): half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision RandomResizedCrop.get_params. */
export function sampleCrop(
  rng: Rng,
  srcH: number,
  srcW: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): { crop: CropBox; fallback: boolean } {
  if (!(srcH >= 1 && srcW >= 1)) throw new Error(`sampleCrop: bad image size ${srcH}x${srcW}`);
  if (scale[0] > scale[1]) throw new Error(`augment.cropScale must be [min, max], got [${scale.join(", ")}]`);
  if (ratio[0] > ratio[1]) throw new Error(`augment.cropRatio must be [min, max], got [${ratio.join(", ")}]`);
  const area = srcH * srcW;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= srcW && h > 0 && h <= srcH) {
      const top = rng.int(srcH - h + 1);
      const left = rng.int(srcW - w + 1);
      return { crop: { top, left, height: h, width: w }, fallback: false };
    }
  }
  // Fallback: central crop with the aspect ratio clamped to the range.
  const inRatio = srcW / srcH;
  let w: number;
  let h: number;
  if (inRatio < ratio[0]) {
    w = srcW;
    h = roundHalfEven(w / ratio[0]);
  } else if (inRatio > ratio[1]) {
    h = srcH;
    w = roundHalfEven(h * ratio[1]);
  } else {
    w = srcW;
    h = srcH;
  }
  return {
    crop: { top: Math.floor((srcH - h) / 2), left: Math.floor((srcW - w) / 2), height: h, width: w },
    fallback: true,
  };
}

/** torchvision ColorJitter.get_params with brightness = contrast = saturation = 0.8s, hue = 0.2s. */
export function sampleColorJitter(rng: Rng, strength: number): ColorJitterParams {
  const bcs = 0.8 * strength;
  const hue = Math.min(0.2 * strength, 0.5);
  const perm = rng.permutation(4);
  const order = Array.from(perm, (i) => JITTER_OPS[i]!);
  const lo = Math.max(0, 1 - bcs);
  const hi = 1 + bcs;
  return {
    order,
    brightness: rng.uniform(lo, hi),
    contrast: rng.uniform(lo, hi),
    saturation: rng.uniform(lo, hi),
    hue: rng.uniform(-hue, hue),
  };
}

/** One view's parameters for one image. */
export function sampleViewParams(rng: Rng, cfg: AugmentConfig, srcH: number, srcW: number): ViewParams {
  const { crop, fallback } = sampleCrop(rng, srcH, srcW, cfg.cropScale, cfg.cropRatio);
  const flip = rng.bernoulli(cfg.flipP);
  const jitter = rng.bernoulli(cfg.jitterP) ? sampleColorJitter(rng, cfg.jitterStrength) : null;
  const grayscale = rng.bernoulli(cfg.grayscaleP);
  return { srcHeight: srcH, srcWidth: srcW, crop, cropFallback: fallback, flip, jitter, grayscale };
}

/**
 * The random stream of one view of one image in one epoch. Depends only on
 * these four numbers, not on which other images share the batch.
 */
export function viewRng(seed: number, view: number, epoch: number, imageIndex: number): Rng {
  return Rng.derive(seed, "view", view, epoch, imageIndex);
}

export interface BatchViewOptions {
  seed: number;
  epoch: number;
  /** Which view (0 or 1 for SimCLR's pair). */
  view: number;
  /** Dataset index of each image in the batch. */
  imageIndices: ArrayLike<number>;
  srcHeight: number;
  srcWidth: number;
}

/** Parameters for a batch: image b gets `sampleViewParams(viewRng(seed, view, epoch, imageIndices[b]), ...)`. */
export function sampleBatchViewParams(cfg: AugmentConfig, opts: BatchViewOptions): ViewParams[] {
  const out: ViewParams[] = [];
  for (let b = 0; b < opts.imageIndices.length; b++) {
    const rng = viewRng(opts.seed, opts.view, opts.epoch, opts.imageIndices[b]!);
    out.push(sampleViewParams(rng, cfg, opts.srcHeight, opts.srcWidth));
  }
  return out;
}

/** Parameters that leave an image unchanged apart from the resize: full crop, no flip, no jitter, no grayscale. */
export function identityViewParams(srcH: number, srcW: number): ViewParams {
  return {
    srcHeight: srcH,
    srcWidth: srcW,
    crop: { top: 0, left: 0, height: srcH, width: srcW },
    cropFallback: false,
    flip: false,
    jitter: null,
    grayscale: false,
  };
}
