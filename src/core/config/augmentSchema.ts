/**
 * The augmentation policy language, part of the experiment schema: views,
 * each an ordered list of ops with a probability `p` and their parameters.
 * Op defaults live here (in `default`) and are filled in per op variant by
 * fillDefaults, so the editor shows the same values training uses.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";

const Prob = (def: number, what = "this op is applied to a given image and view") =>
  Type.Number({ minimum: 0, maximum: 1, default: def, description: `Probability that ${what}.` });
const Range = (def: [number, number], description: string, bounds: { minimum?: number; maximum?: number } = {}) =>
  Type.Tuple([Type.Number(bounds), Type.Number(bounds)], { default: def, description: `${description} Drawn uniformly from [min, max].` });
const Magnitude = Type.Optional(
  Type.Number({
    minimum: 0,
    maximum: 30,
    description:
      "RandAugment/SelfAugment magnitude, 0-30, mapped linearly onto this op's strongest setting (30 = strongest; signed ops get a random sign). When given it replaces the explicit range.",
  }),
);

function op<K extends string, P extends Record<string, TSchema>>(name: K, description: string, props: P) {
  return Type.Object({ op: Type.Literal(name, { description }), ...props }, { additionalProperties: false, title: name });
}

/** Ops with a magnitude, in the order of SelfAugment's op list; each maps 0-30 onto its range in core/augment/magnitude.ts. */
export const RANDAUGMENT_OPS = [
  "cutout",
  "autoContrast",
  "equalize",
  "rotate",
  "solarize",
  "saturation",
  "posterize",
  "contrast",
  "brightness",
  "sharpness",
  "shearX",
  "shearY",
  "translateX",
  "translateY",
  "invert",
] as const;
export type RandAugmentOpName = (typeof RANDAUGMENT_OPS)[number];

const Interpolation = Type.Union([Type.Literal("nearest"), Type.Literal("bilinear")], {
  default: "nearest",
  description: "Resampling: nearest (RandAugment's choice) or bilinear.",
});
const Fill = Type.Number({ minimum: 0, maximum: 1, default: 0, description: "Value of pixels that come from outside the image (0 = black)." });

const factorOp = <K extends string>(name: K, description: string) =>
  op(name, description, {
    p: Prob(1),
    factor: Range([0.1, 1.9], "Enhancement factor (1 = unchanged).", { minimum: 0 }),
    magnitude: Magnitude,
  });

export const OP_SCHEMAS = [
  op("randomResizedCrop", "Crop a random area and aspect ratio, resize to the view size (torchvision RandomResizedCrop). Must be the first op.", {
    scale: Range([0.08, 1], "Area of the crop as a fraction of the image (SimCLR: [0.08, 1]; MoCo v2: [0.2, 1]; multi-crop local views: [0.05, 0.4]).", {
      minimum: 0,
      maximum: 1,
    }),
    ratio: Range([0.75, 1.3333333], "Aspect ratio (width/height) of the crop, drawn log-uniformly (torchvision: [3/4, 4/3]).", {
      minimum: 0,
    }),
  }),
  op("hflip", "Mirror left-right.", { p: Prob(0.5) }),
  op("vflip", "Mirror top-bottom.", { p: Prob(0.5) }),
  op("rotate", "Rotate counter-clockwise about the centre.", {
    p: Prob(1),
    degrees: Range([-30, 30], "Angle in degrees."),
    magnitude: Magnitude,
    interpolation: Interpolation,
    fill: Fill,
  }),
  ...(["shearX", "shearY"] as const).map((name) =>
    op(name, `Shear along ${name === "shearX" ? "x" : "y"} about the centre.`, {
      p: Prob(1),
      shear: Range([-0.3, 0.3], "Shear factor (tangent of the shear angle; RandAugment: up to 0.3)."),
      magnitude: Magnitude,
      interpolation: Interpolation,
      fill: Fill,
    }),
  ),
  ...(["translateX", "translateY"] as const).map((name) =>
    op(name, `Shift along ${name === "translateX" ? "x" : "y"} by a fraction of the image ${name === "translateX" ? "width" : "height"}.`, {
      p: Prob(1),
      fraction: Range([-0.45, 0.45], "Shift as a fraction of the side (RandAugment: up to 150/331 = 0.45)."),
      magnitude: Magnitude,
      fill: Fill,
    }),
  ),
  op("colorJitter", "Brightness, contrast, saturation and hue in a random order (torchvision ColorJitter). SimCLR: strength s gives 0.8s, 0.8s, 0.8s, 0.2s.", {
    p: Prob(0.8),
    brightness: Type.Number({ minimum: 0, default: 0.4, description: "Brightness factor drawn from [max(0, 1 - b), 1 + b]." }),
    contrast: Type.Number({ minimum: 0, default: 0.4, description: "Contrast factor drawn from [max(0, 1 - c), 1 + c]." }),
    saturation: Type.Number({ minimum: 0, default: 0.4, description: "Saturation factor drawn from [max(0, 1 - s), 1 + s]." }),
    hue: Type.Number({ minimum: 0, maximum: 0.5, default: 0.1, description: "Hue shift drawn from [-h, h], in turns." }),
  }),
  factorOp("brightness", "Blend with black (factor 0 = black, 1 = unchanged)."),
  factorOp("contrast", "Blend with the mean gray of the image."),
  factorOp("saturation", 'Blend with the grayscale image (SelfAugment/PIL call it "color").'),
  factorOp("sharpness", "Blend with a 3x3 smoothed image (factor > 1 sharpens)."),
  op("grayscale", "Replace the colour by its luma (ITU-R 601-2) in every channel.", { p: Prob(0.2) }),
  op("gaussianBlur", "Separable Gaussian blur with reflected borders.", {
    p: Prob(0.5),
    sigma: Range([0.1, 2], "Standard deviation in pixels (SimCLR/MoCo v2: [0.1, 2.0]).", { minimum: 0.01 }),
    kernelSize: Type.Optional(
      Type.Integer({ minimum: 3, description: "Odd kernel side in pixels. Unset: 2 * ceil(3 sigma) + 1 for each drawn sigma." }),
    ),
  }),
  op("solarize", "Invert the pixels at or above a threshold.", {
    p: Prob(1),
    threshold: Range([0.5, 0.5], "Threshold in [0, 1] (BYOL: 0.5).", { minimum: 0, maximum: 1 }),
    magnitude: Magnitude,
  }),
  op("posterize", "Keep the top bits of each 8-bit channel value.", {
    p: Prob(1),
    bits: Range([4, 8], "Bits kept, an integer drawn from [min, max].", { minimum: 1, maximum: 8 }),
    magnitude: Magnitude,
  }),
  op("equalize", "Histogram equalisation per channel (PIL ImageOps.equalize).", { p: Prob(1) }),
  op("autoContrast", "Stretch each channel's min..max to the full range.", { p: Prob(1) }),
  op("invert", "Replace each value v by 1 - v.", { p: Prob(1) }),
  op("cutout", "Fill a square at a random centre (clipped at the borders) with a constant.", {
    p: Prob(1),
    size: Range([0.1, 0.5], "Side of the square as a fraction of the shorter image side.", { minimum: 0, maximum: 1 }),
    magnitude: Magnitude,
    value: Type.Number({ minimum: 0, maximum: 1, default: 0.5, description: "Fill value (0.5 = the gray FixMatch and SelfAugment use)." }),
  }),
  op("randAugment", "RandAugment (Cubuk et al. 2020): N ops drawn uniformly (with replacement) from `ops`, all at one magnitude M.", {
    p: Prob(1, "the whole RandAugment group is applied"),
    n: Type.Integer({ minimum: 1, maximum: 10, default: 2, description: "Ops applied per image (RandAugment's N; SelfAugment: 2)." }),
    magnitude: Type.Number({ minimum: 0, maximum: 30, default: 9, description: "Shared magnitude M on the 0-30 scale (RandAugment's ImageNet value: 9)." }),
    magnitudeEnd: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 30,
        description: "Ramp M linearly from `magnitude` at the first epoch to this value at the last (SelfAugment: 4 to 11).",
      }),
    ),
    ops: Type.Array(Type.Union(RANDAUGMENT_OPS.map((n) => Type.Literal(n))), {
      minItems: 1,
      uniqueItems: true,
      default: [...RANDAUGMENT_OPS],
      description: "The op set to draw from (default: SelfAugment's 15 ops).",
    }),
  }),
  op("saliencyCut", "Replace the image by its SaliencyCut region map recoloured with a random palette (Kocaman, ch. 5). Needs the SaliencyCut cache.", {
    p: Prob(1),
  }),
  op("normalize", "Subtract a per-channel mean and divide by a std. Must be the last op; the preview shows the image before it.", {
    mean: Type.Array(Type.Number(), { minItems: 1, maxItems: 3, default: [0.5], description: "Per-channel mean (one value for all channels, or one per channel)." }),
    std: Type.Array(Type.Number({ exclusiveMinimum: 0 }), { minItems: 1, maxItems: 3, default: [0.5], description: "Per-channel std." }),
  }),
] as const;

export const OpSchema = Type.Union([...OP_SCHEMAS], {
  description: 'One augmentation op; `op` selects which. Every op except normalize has a probability `p`.',
});

export const ViewSchema = Type.Object(
  {
    name: Type.String({ default: "view", description: 'Name shown in the preview (e.g. "global", "local").' }),
    count: Type.Integer({ minimum: 1, maximum: 16, default: 1, description: "How many views of this kind each image gets (multi-crop: 2 global + N local)." }),
    size: Type.Optional(Type.Integer({ minimum: 4, maximum: 512, description: "Side of this view in pixels. Unset: imageSize (or relativeSize)." })),
    relativeSize: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1,
        description: "Side of this view as a fraction of imageSize, for presets that serve any image size (multi-crop local views: 96/224 ≈ 0.43 in SwAV and DINO).",
      }),
    ),
    ops: Type.Array(OpSchema, { default: [], description: "The ops, applied in order." }),
  },
  { additionalProperties: false, description: "A kind of view: its ops, and how many views of it each image gets." },
);

export const AUGMENT_PRESETS = [
  "simclr",
  "mocov2",
  "byol",
  "randaugment",
  "crop",
  "swav",
  "dino",
  "saliencycut-default",
  "saliencycut-p1",
  "saliencycut-p1-default",
  "saliencycut-p0.5-default",
  "saliencycut-p1-jitter1",
  "saliencycut-p0.5-jitter1",
  "saliencycut-p0.8-jitter0.8",
] as const;
export type AugmentPreset = (typeof AUGMENT_PRESETS)[number];

export const AugmentSchema = Type.Object(
  {
    preset: Type.Optional(
      Type.Union(
        AUGMENT_PRESETS.map((n) => Type.Literal(n)),
        {
          description:
            "A named policy (used when `views` is not given; default: the method's own, e.g. mocov2 for moco, dino for dino). simclr: SimCLR's CIFAR recipe (crop, flip, jitter s=0.5 p=0.8, grayscale 0.2). mocov2: MoCo v2 (crop [0.2, 1], jitter, grayscale, blur p=0.5). byol: BYOL's asymmetric pair (blur p=1 / p=0.1, solarize p=0 / p=0.2). randaugment: crop, flip, RandAugment N=2 M=9. crop: one view, crop [0.2, 1] and flip (pretext tasks, MAE). swav: multi-crop, 2 global crops (scale [0.14, 1]) + 6 local crops (scale [0.05, 0.14], 0.43 of the size). dino: multi-crop, 2 global crops (scale [0.4, 1], BYOL's asymmetric blur and solarize) + 6 local crops (scale [0.05, 0.4], 0.43 of the size). saliencycut-*: the seven policies of Kocaman's thesis (ch. 5).",
        },
      ),
    ),
    views: Type.Optional(Type.Array(ViewSchema, { minItems: 1, description: "Explicit views (replace the preset)." })),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'How each view of an image is made: a preset ("preset": "simclr") or explicit views with ordered ops.',
  },
);

export type OpSpec = Static<typeof OpSchema>;
export type OpName = OpSpec["op"];
export type ViewSpec = Static<typeof ViewSchema>;
export type AugmentConfig = Static<typeof AugmentSchema>;
