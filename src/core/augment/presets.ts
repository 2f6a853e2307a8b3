/**
 * Named policies. Each is written with only the fields that differ from the
 * op defaults in the schema; resolveViews fills in the rest.
 */
import type { AugmentPreset } from "../config/augmentSchema";

/** A view as written in a config: op fields with defaults may be left out. */
export interface ViewInput {
  name?: string;
  count?: number;
  size?: number;
  ops: ({ op: string } & Record<string, unknown>)[];
}

/** SimCLR's CIFAR-10 recipe (Chen et al. 2020, appendix B.9): colour strength 0.5, no blur at 32x32. */
const SIMCLR_OPS = [
  { op: "randomResizedCrop", scale: [0.08, 1] },
  { op: "hflip", p: 0.5 },
  { op: "colorJitter", p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
  { op: "grayscale", p: 0.2 },
];

/** BYOL (Grill et al. 2020, table 6): the two views differ in blur and solarize probability. */
const byolView = (name: string, blurP: number, solarizeP: number): ViewInput => ({
  name,
  ops: [
    { op: "randomResizedCrop", scale: [0.08, 1] },
    { op: "hflip", p: 0.5 },
    { op: "colorJitter", p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 },
    { op: "grayscale", p: 0.2 },
    { op: "gaussianBlur", p: blurP, sigma: [0.1, 2] },
    { op: "solarize", p: solarizeP, threshold: [0.5, 0.5] },
  ],
});

/**
 * The seven policies of Kocaman's thesis (ch. 5): SaliencyCut ("SGD" there) with
 * probability p, alone, before the default policy (SimCLR's), or before colour
 * jitter with probability q.
 */
const saliency = (p: number, rest: ViewInput["ops"]): ViewInput[] => [
  { name: "view", count: 2, ops: [{ op: "saliencyCut", p }, ...rest] },
];
const jitter = (p: number) => [{ op: "colorJitter", p, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }];

export const PRESETS: Record<AugmentPreset, ViewInput[]> = {
  simclr: [{ name: "view", count: 2, ops: SIMCLR_OPS }],
  /** MoCo v2 (Chen et al. 2020, "Improved baselines"): softer crops, blur with p = 0.5. */
  mocov2: [
    {
      name: "view",
      count: 2,
      ops: [
        { op: "randomResizedCrop", scale: [0.2, 1] },
        { op: "colorJitter", p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 },
        { op: "grayscale", p: 0.2 },
        { op: "gaussianBlur", p: 0.5, sigma: [0.1, 2] },
        { op: "hflip", p: 0.5 },
      ],
    },
  ],
  byol: [byolView("view1", 1, 0), byolView("view2", 0.1, 0.2)],
  /** SelfAugment's base (Reed et al. 2021): crop and flip, then RandAugment N = 2, M = 9 over its 15 ops. */
  randaugment: [
    {
      name: "view",
      count: 2,
      ops: [{ op: "randomResizedCrop", scale: [0.08, 1] }, { op: "hflip", p: 0.5 }, { op: "randAugment", n: 2, magnitude: 9 }],
    },
  ],
  "saliencycut-default": [{ name: "view", count: 2, ops: SIMCLR_OPS }],
  "saliencycut-p1": saliency(1, []),
  "saliencycut-p1-default": saliency(1, SIMCLR_OPS),
  "saliencycut-p0.5-default": saliency(0.5, SIMCLR_OPS),
  "saliencycut-p1-jitter1": saliency(1, jitter(1)),
  "saliencycut-p0.5-jitter1": saliency(0.5, jitter(1)),
  "saliencycut-p0.8-jitter0.8": saliency(0.8, jitter(0.8)),
};
