/**
 * SaliencyCut settings (Cheng et al. 2015, "Global Contrast based Salient
 * Region Detection"; used as an SSL augmentation in Kocaman's thesis, ch. 5).
 * The op `saliencyCut` in augment views uses them; `ssl-studio cache build`
 * computes its results once per image and training looks them up.
 */
import { Type, type Static } from "@sinclair/typebox";
import { fillDefaults } from "./defaults";

export const SALIENCY_MAPS = ["hc", "rc", "both"] as const;
export const SALIENCY_OUTPUTS = ["regions", "mask"] as const;

export const SaliencySchema = Type.Object(
  {
    map: Type.Union(
      SALIENCY_MAPS.map((m) => Type.Literal(m)),
      {
        default: "rc",
        description:
          "Saliency map that seeds the cut. hc: histogram contrast (colour rarity over the whole image; fast). rc: region contrast (graph-based regions, contrast weighted by spatial distance; SaliencyCut's choice in Cheng et al.). both: the mean of the two.",
      },
    ),
    threshold: Type.Integer({
      minimum: 1,
      maximum: 254,
      default: 70,
      description: "Binarise the saliency map (0-255) at this value to seed the first trimap (Cheng et al.: 70).",
    }),
    iterations: Type.Integer({
      minimum: 1,
      maximum: 10,
      default: 4,
      description: "Rounds of GrabCut, each on a trimap rebuilt by dilating and eroding the previous mask; stops early when fewer than 0.5% of the pixels change (Cheng et al.: 4).",
    }),
    scale: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: 1,
      description: "Working scale: compute on the image resized by this factor, then bring the mask back to full size (0.5 is ~4x faster on large images).",
    }),
    output: Type.Union(
      SALIENCY_OUTPUTS.map((o) => Type.Literal(o)),
      {
        default: "regions",
        description:
          "What replaces the image in training, recoloured with a random palette each time. regions: the object's graph-based regions plus the background (the thesis's colour-swapped segmentation map). mask: object and background only.",
      },
    ),
    cache: Type.Object(
      {
        dir: Type.String({ default: ".ssl-cache/saliency", description: "Cache folder, relative to the experiment file (built by `ssl-studio cache build`)." }),
        memoryMB: Type.Integer({ minimum: 0, default: 512, description: "Keep the cache in memory when it fits in this many MB; otherwise read entries from disk on demand." }),
        onMiss: Type.Union([Type.Literal("error"), Type.Literal("compute")], {
          default: "error",
          description: "An image missing from the cache: error (stop and name the image; run `ssl-studio cache build` first) or compute (run SaliencyCut during training; slow).",
        }),
      },
      { additionalProperties: false, default: {}, description: "The offline cache: results keyed by a hash of the decoded pixels and these settings." },
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      "SaliencyCut (Cheng et al. 2015): a saliency map, binarised into a trimap and refined by iterated GrabCut, gives the salient object's mask and regions. The augment op `saliencyCut` replaces an image by its recoloured region map (Kocaman's thesis, ch. 5).",
  },
);

export type SaliencyConfig = Static<typeof SaliencySchema>;
/** The settings that change a result (the cache key); cache placement is not one of them. */
export type SaliencyParams = Omit<SaliencyConfig, "cache">;

/** The settings with every default filled in: what a config without a saliency section gets. */
export const defaultSaliencyConfig = (): SaliencyConfig => fillDefaults(SaliencySchema, {}) as SaliencyConfig;

export function saliencyParams({ map, threshold, iterations, scale, output }: SaliencyConfig): SaliencyParams {
  return { map, threshold, iterations, scale, output };
}
