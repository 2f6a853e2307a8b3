/**
 * The random part of augmentation, on the CPU: for one image and one view,
 * which ops fire and with which parameters. Every draw comes from a stream
 * derived from (seed, view, epoch, image index), never from Math.random or tf's
 * random ops, so a view is the same on every backend, in any batch, and in the
 * preview. The pixels are transformed separately (apply.ts).
 */
import { fillDefaults } from "../config/defaults";
import { OpSchema, type OpSpec, type RandAugmentOpName } from "../config/augmentSchema";
import { Rng } from "../random";
import { SIGNED, STRONGEST, fraction, posterizeBits, rampedMagnitude, solarizeThreshold } from "./magnitude";
import type { ViewInstance } from "./views";

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
  brightness: number;
  contrast: number;
  saturation: number;
  /** Hue shift as a fraction of a full turn, in [-0.5, 0.5]. */
  hue: number;
}

/** What one op did to one image: its name and the parameters drawn. JSON, shown by the preview on hover. */
export type OpDraw =
  | ({ op: "randomResizedCrop"; fallback: boolean } & CropBox)
  | { op: "hflip" | "vflip" | "grayscale" | "equalize" | "autoContrast" | "invert" }
  /** palette: the seed of the region map's random colours. */
  | { op: "saliencyCut"; palette: number }
  | { op: "rotate"; degrees: number }
  | { op: "shearX" | "shearY"; shear: number }
  | { op: "translateX" | "translateY"; pixels: number }
  | ({ op: "colorJitter" } & ColorJitterParams)
  | { op: "brightness" | "contrast" | "saturation" | "sharpness"; factor: number }
  | { op: "gaussianBlur"; sigma: number }
  | { op: "solarize"; threshold: number }
  | { op: "posterize"; bits: number }
  | ({ op: "cutout"; value: number } & CropBox)
  | { op: "randAugment"; magnitude: number; ops: OpDraw[] };

/** The draw type of an op, e.g. DrawOf<"rotate">. */
export type DrawOf<K extends OpDraw["op"]> = OpDraw extends infer T ? (T extends { op: infer O } ? (K extends O ? T : never) : never) : never;

/** One view of one image: per op of the view, its draw, or null when it did not fire. */
export interface ViewPlan {
  imageIndex: number;
  srcHeight: number;
  srcWidth: number;
  draws: (OpDraw | null)[];
}

export interface SampleContext {
  seed: number;
  epoch: number;
  /** Training length, for RandAugment's magnitude ramp. */
  epochs: number;
  srcHeight: number;
  srcWidth: number;
}

/**
 * The random stream of one op of one view of one image in one epoch. One
 * stream per op, so changing an op (or switching it off in the preview) leaves
 * every other op's draws as they were.
 */
export function opRng(seed: number, view: number, epoch: number, imageIndex: number, op: number): Rng {
  return Rng.derive(seed, "view", view, epoch, imageIndex, op);
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
  scale: readonly number[],
  ratio: readonly number[],
): { crop: CropBox; fallback: boolean } {
  const area = srcH * srcW;
  const logLo = Math.log(ratio[0]!);
  const logHi = Math.log(ratio[1]!);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0]!, scale[1]!);
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
  let w = srcW;
  let h = srcH;
  if (inRatio < ratio[0]!) h = roundHalfEven(w / ratio[0]!);
  else if (inRatio > ratio[1]!) w = roundHalfEven(h * ratio[1]!);
  return {
    crop: { top: Math.floor((srcH - h) / 2), left: Math.floor((srcW - w) / 2), height: h, width: w },
    fallback: true,
  };
}

/** torchvision ColorJitter.get_params: a random op order, then the four factors. */
function sampleColorJitter(rng: Rng, b: number, c: number, s: number, h: number): ColorJitterParams {
  const order = Array.from(rng.permutation(4), (i) => JITTER_OPS[i]!);
  return {
    order,
    brightness: rng.uniform(Math.max(0, 1 - b), 1 + b),
    contrast: rng.uniform(Math.max(0, 1 - c), 1 + c),
    saturation: rng.uniform(Math.max(0, 1 - s), 1 + s),
    hue: rng.uniform(-h, h),
  };
}

/** An explicit range, or the magnitude mapped onto [0, strongest] with a random sign for signed ops. */
function amount(rng: Rng, op: RandAugmentOpName, range: readonly number[], magnitude: number | undefined, strongest: number): number {
  if (magnitude === undefined) return rng.uniform(range[0]!, range[1]!);
  const v = fraction(magnitude) * strongest;
  return SIGNED.has(op) && rng.bernoulli(0.5) ? -v : v;
}

/** A square of side `side` (fraction of the shorter side) at a random centre, clipped to the image. */
function cutoutBox(rng: Rng, size: number, side: number): CropBox {
  const s = Math.round(side * size);
  const cy = rng.int(size);
  const cx = rng.int(size);
  const top = Math.max(0, cy - Math.floor(s / 2));
  const left = Math.max(0, cx - Math.floor(s / 2));
  return { top, left, height: Math.min(size, cy - Math.floor(s / 2) + s) - top, width: Math.min(size, cx - Math.floor(s / 2) + s) - left };
}

/** The parameters of an op that fires, on a `size` x `size` image (ops after the crop work at the view size). */
function drawParams(rng: Rng, spec: OpSpec, size: number, ctx: SampleContext): OpDraw {
  switch (spec.op) {
    case "randomResizedCrop": {
      const { crop, fallback } = sampleCrop(rng, ctx.srcHeight, ctx.srcWidth, spec.scale, spec.ratio);
      return { op: spec.op, ...crop, fallback };
    }
    case "hflip":
    case "vflip":
    case "grayscale":
    case "equalize":
    case "autoContrast":
    case "invert":
      return { op: spec.op };
    case "saliencyCut":
      return { op: spec.op, palette: rng.int(2 ** 31) };
    case "rotate":
      return { op: spec.op, degrees: amount(rng, spec.op, spec.degrees, spec.magnitude, STRONGEST.rotate) };
    case "shearX":
    case "shearY":
      return { op: spec.op, shear: amount(rng, spec.op, spec.shear, spec.magnitude, STRONGEST.shear) };
    case "translateX":
    case "translateY":
      // Whole pixels, as torchvision's RandAugment (int()).
      return { op: spec.op, pixels: Math.trunc(amount(rng, spec.op, spec.fraction, spec.magnitude, STRONGEST.translate) * size) };
    case "colorJitter":
      return { op: spec.op, ...sampleColorJitter(rng, spec.brightness, spec.contrast, spec.saturation, spec.hue) };
    case "brightness":
    case "contrast":
    case "saturation":
    case "sharpness": {
      const factor = spec.magnitude === undefined ? rng.uniform(spec.factor[0], spec.factor[1]) : 1 + amount(rng, spec.op, [0, 0], spec.magnitude, STRONGEST.factor);
      return { op: spec.op, factor };
    }
    case "gaussianBlur":
      return { op: spec.op, sigma: rng.uniform(spec.sigma[0], spec.sigma[1]) };
    case "solarize":
      return { op: spec.op, threshold: spec.magnitude === undefined ? rng.uniform(spec.threshold[0], spec.threshold[1]) : solarizeThreshold(spec.magnitude) };
    case "posterize": {
      const [lo, hi] = spec.bits;
      return { op: spec.op, bits: spec.magnitude === undefined ? Math.ceil(lo) + rng.int(Math.floor(hi) - Math.ceil(lo) + 1) : posterizeBits(spec.magnitude) };
    }
    case "cutout":
      return { op: spec.op, value: spec.value, ...cutoutBox(rng, size, amount(rng, spec.op, spec.size, spec.magnitude, STRONGEST.cutout)) };
    case "randAugment": {
      const magnitude = rampedMagnitude(spec.magnitude, spec.magnitudeEnd, ctx.epoch, ctx.epochs);
      const ops: OpDraw[] = [];
      for (let i = 0; i < spec.n; i++) {
        const name = spec.ops[rng.int(spec.ops.length)]!;
        ops.push(drawParams(rng, randAugmentOp(name, magnitude), size, ctx));
      }
      return { op: spec.op, magnitude, ops };
    }
    case "normalize":
      throw new Error("normalize has no random parameters");
  }
}

/** The spec of one RandAugment op at magnitude m (its other fields at their defaults). */
export function randAugmentOp(name: RandAugmentOpName, magnitude: number): OpSpec {
  return fillDefaults(OpSchema, { op: name, magnitude }) as OpSpec;
}

/** One view of one image. */
export function sampleViewPlan(view: ViewInstance, imageIndex: number, ctx: SampleContext): ViewPlan {
  const draws = view.ops.map((spec, k) => {
    if (spec.op === "normalize") return null;
    const rng = opRng(ctx.seed, view.index, ctx.epoch, imageIndex, k);
    const fires = spec.op === "randomResizedCrop" || rng.bernoulli(spec.p);
    return fires ? drawParams(rng, spec, view.size, ctx) : null;
  });
  return { imageIndex, srcHeight: ctx.srcHeight, srcWidth: ctx.srcWidth, draws };
}

/** The view of a batch of images (dataset indices). */
export function sampleViewPlans(view: ViewInstance, imageIndices: ArrayLike<number>, ctx: SampleContext): ViewPlan[] {
  return Array.from(imageIndices, (i) => sampleViewPlan(view, i, ctx));
}
