/**
 * The RandAugment/SelfAugment magnitude scale: 0-30 (torchvision's 31 bins)
 * mapped linearly onto each op's strongest setting, as in torchvision's
 * RandAugment._augmentation_space. Signed ops take a random sign.
 */
import type { RandAugmentOpName } from "../config/augmentSchema";

export const MAX_MAGNITUDE = 30;

/** The op's setting at magnitude 30: degrees, shear factor, fraction of the side, enhancement delta, cutout side. */
export const STRONGEST = {
  rotate: 30,
  shear: 0.3,
  translate: 150 / 331,
  factor: 0.9,
  cutout: 0.5,
} as const;

/** Ops whose magnitude is applied with a random sign. */
export const SIGNED: ReadonlySet<RandAugmentOpName> = new Set([
  "rotate",
  "shearX",
  "shearY",
  "translateX",
  "translateY",
  "brightness",
  "contrast",
  "saturation",
  "sharpness",
]);

export const fraction = (m: number): number => m / MAX_MAGNITUDE;

/** Solarize threshold in [0, 1]: 1 (nothing inverted) at 0, 0 (everything) at 30. */
export const solarizeThreshold = (m: number): number => 1 - fraction(m);

/** Posterize bits: 8 at 0, 4 at 30 (torchvision: 8 - round(m / 7.5)). */
export const posterizeBits = (m: number): number => 8 - Math.round((4 * m) / MAX_MAGNITUDE);

/** RandAugment's magnitude at an epoch, ramped linearly from `start` (first epoch) to `end` (last). */
export function rampedMagnitude(start: number, end: number | undefined, epoch: number, epochs: number): number {
  if (end === undefined || epochs <= 1) return start;
  return start + ((end - start) * Math.min(epoch, epochs - 1)) / (epochs - 1);
}
