/**
 * Named policies. Each is written with only the fields that differ from the
 * op defaults in the schema; resolveViews fills in the rest.
 */
import type { AugmentPreset } from "../config/augmentSchema";
import type { Method } from "../config/schema";

/** A view as written in a config: op fields with defaults may be left out. */
export interface ViewInput {
  name?: string;
  count?: number;
  size?: number;
  relativeSize?: number;
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
 * Multi-crop (Caron et al. 2020): two global crops at full size and six small
 * local crops at 96/224 of it, all with the colour ops of the method's recipe.
 */
const LOCAL_SIZE = 96 / 224;
const colorOps = (blurP: number, solarizeP = 0) => [
  { op: "hflip", p: 0.5 },
  { op: "colorJitter", p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 },
  { op: "grayscale", p: 0.2 },
  { op: "gaussianBlur", p: blurP, sigma: [0.1, 2] },
  ...(solarizeP > 0 ? [{ op: "solarize", p: solarizeP, threshold: [0.5, 0.5] }] : []),
];
const crop = (scale: [number, number]) => ({ op: "randomResizedCrop", scale });

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
  /** One lightly augmented view, for the pretext tasks and MAE (He et al. 2022: crop [0.2, 1] and flip only). */
  crop: [{ name: "view", count: 1, ops: [crop([0.2, 1]), { op: "hflip", p: 0.5 }] }],
  /** SwAV's multi-crop (Caron et al. 2020, appendix A): global scale [0.14, 1], local [0.05, 0.14]. */
  swav: [
    { name: "global", count: 2, ops: [crop([0.14, 1]), ...colorOps(0.5)] },
    { name: "local", count: 6, relativeSize: LOCAL_SIZE, ops: [crop([0.05, 0.14]), ...colorOps(0.5)] },
  ],
  /** DINO (Caron et al. 2021, appendix): global [0.4, 1] with BYOL's asymmetric blur/solarize, local [0.05, 0.4] with blur p = 0.5. */
  dino: [
    { name: "global1", ops: [crop([0.4, 1]), ...colorOps(1)] },
    { name: "global2", ops: [crop([0.4, 1]), ...colorOps(0.1, 0.2)] },
    { name: "local", count: 6, relativeSize: LOCAL_SIZE, ops: [crop([0.05, 0.4]), ...colorOps(0.5)] },
  ],
  "saliencycut-default": [{ name: "view", count: 2, ops: SIMCLR_OPS }],
  "saliencycut-p1": saliency(1, []),
  "saliencycut-p1-default": saliency(1, SIMCLR_OPS),
  "saliencycut-p0.5-default": saliency(0.5, SIMCLR_OPS),
  "saliencycut-p1-jitter1": saliency(1, jitter(1)),
  "saliencycut-p0.5-jitter1": saliency(0.5, jitter(1)),
  "saliencycut-p0.8-jitter0.8": saliency(0.8, jitter(0.8)),
};

/** The policy each method's paper uses, when the experiment names none. */
export const METHOD_PRESETS: Record<Method, AugmentPreset> = {
  simclr: "simclr",
  moco: "mocov2",
  byol: "byol",
  // SimSiam trains with MoCo v2's augmentations; Barlow Twins and VICReg with BYOL's.
  simsiam: "mocov2",
  barlowtwins: "byol",
  vicreg: "byol",
  swav: "swav",
  dino: "dino",
  mae: "crop",
  rotnet: "crop",
  jigsaw: "crop",
  colorization: "crop",
};
