/**
 * The values the papers published for the experiment's settings, with where
 * each comes from: the editor's hover shows them and the quick fixes that
 * reset a value use the first one. The schema defaults (schema.ts,
 * methodSchema.ts) are what this project runs on small images and can differ
 * (swav.prototypes 100 against SwAV's 3000 on ImageNet); this table is only
 * what the papers say. Keyed by the dotted field path; an entry with a
 * `method` applies when that method is selected (train.batchSize differs per paper).
 */
import type { MethodName } from "./methodSchema";

export interface PaperValue {
  value: number | boolean;
  /** Paper (and where in it), or the official code when the paper does not state it. */
  source: string;
  /** The setting the value is for ("CIFAR-10", "ImageNet"), when the paper has several. */
  setting?: string;
  /** Only for this method; unset: whatever the method. */
  method?: MethodName;
}

const SIMCLR = "Chen et al. 2020 (SimCLR)";
const MOCO = "He et al. 2020 (MoCo)";
const MOCO_V2 = "Chen et al. 2020 (MoCo v2, Improved Baselines)";
const BYOL = "Grill et al. 2020 (BYOL)";
const SIMSIAM = "Chen & He 2021 (SimSiam)";
const BARLOW = "Zbontar et al. 2021 (Barlow Twins)";
const VICREG = "Bardes et al. 2022 (VICReg)";
const SWAV = "Caron et al. 2020 (SwAV)";
const DINO = "Caron et al. 2021 (DINO)";
const MAE = "He et al. 2022 (MAE)";

export const PAPER_VALUES: Record<string, PaperValue[]> = {
  "simclr.temperature": [
    { value: 0.5, source: `${SIMCLR}, appendix B.9`, setting: "CIFAR-10" },
    { value: 0.1, source: `${SIMCLR}, table 5`, setting: "ImageNet, batch 4096" },
  ],
  "moco.temperature": [{ value: 0.2, source: MOCO_V2, setting: "ImageNet (MoCo v1: 0.07)" }],
  "moco.momentum": [{ value: 0.999, source: MOCO, setting: "ImageNet" }],
  "moco.queueSize": [{ value: 65536, source: MOCO, setting: "ImageNet" }],
  "byol.tau": [{ value: 0.996, source: BYOL, setting: "base rate, raised to 1 along a cosine" }],
  "byol.predictorHidden": [{ value: 4096, source: BYOL, setting: "ImageNet" }],
  "simsiam.predictorHidden": [{ value: 512, source: SIMSIAM, setting: "2048-d projection" }],
  "barlowtwins.lambda": [{ value: 0.0051, source: `${BARLOW}, official code (the paper rounds it to 5e-3)` }],
  "vicreg.simCoeff": [{ value: 25, source: VICREG }],
  "vicreg.stdCoeff": [{ value: 25, source: VICREG }],
  "vicreg.covCoeff": [{ value: 1, source: VICREG }],
  "swav.temperature": [{ value: 0.1, source: SWAV }],
  "swav.epsilon": [{ value: 0.05, source: SWAV }],
  "swav.sinkhornIterations": [{ value: 3, source: SWAV }],
  "swav.prototypes": [{ value: 3000, source: SWAV, setting: "ImageNet" }],
  "swav.freezePrototypesEpochs": [{ value: 1, source: SWAV }],
  "dino.studentTemp": [{ value: 0.1, source: DINO }],
  "dino.teacherTemp": [{ value: 0.07, source: DINO, setting: "after a linear warm-up from 0.04 over 30 epochs" }],
  "dino.warmupTeacherTemp": [{ value: 0.04, source: DINO }],
  "dino.warmupTeacherTempEpochs": [{ value: 30, source: DINO }],
  "dino.centerMomentum": [{ value: 0.9, source: DINO }],
  "dino.momentum": [{ value: 0.996, source: DINO, setting: "base rate, raised to 1 along a cosine" }],
  "dino.outDim": [{ value: 65536, source: DINO, setting: "ImageNet" }],
  "dino.bottleneck": [{ value: 256, source: DINO }],
  "mae.maskRatio": [{ value: 0.75, source: MAE }],
  "mae.normPixLoss": [{ value: true, source: MAE }],
  "mae.decoderDepth": [{ value: 8, source: MAE }],
  "mae.decoderWidth": [{ value: 512, source: MAE }],
  "mae.decoderHeads": [{ value: 16, source: MAE }],
  "jigsaw.permutations": [{ value: 1000, source: "Noroozi & Favaro 2016 (Jigsaw)", setting: "final model" }],
  "colorization.binSize": [{ value: 10, source: "Zhang et al. 2016 (Colorful Image Colorization)" }],
  "colorization.neighbours": [{ value: 5, source: "Zhang et al. 2016 (Colorful Image Colorization)" }],
  "colorization.sigma": [{ value: 5, source: "Zhang et al. 2016 (Colorful Image Colorization)" }],
  "train.batchSize": [
    { value: 4096, source: SIMCLR, setting: "ImageNet", method: "simclr" },
    { value: 256, source: MOCO_V2, setting: "ImageNet", method: "moco" },
    { value: 4096, source: BYOL, setting: "ImageNet", method: "byol" },
    { value: 512, source: SIMSIAM, setting: "ImageNet", method: "simsiam" },
    { value: 2048, source: BARLOW, setting: "ImageNet", method: "barlowtwins" },
    { value: 2048, source: VICREG, setting: "ImageNet", method: "vicreg" },
    { value: 4096, source: SWAV, setting: "ImageNet", method: "swav" },
    { value: 1024, source: DINO, setting: "ImageNet, ViT-S/16", method: "dino" },
  ],
  "train.lr": [{ value: 0.3, source: SIMCLR, setting: "LARS, scaled by batchSize/256" }],
  "train.weightDecay": [{ value: 1e-6, source: SIMCLR, setting: "LARS" }],
  "train.warmupEpochs": [{ value: 10, source: SIMCLR }],
  "eval.knnK": [
    { value: 20, source: DINO },
    { value: 200, source: "Wu et al. 2018 (instance discrimination)" },
  ],
  "eval.knnTemperature": [{ value: 0.07, source: "Wu et al. 2018 (instance discrimination)" }],
  "saliency.threshold": [{ value: 70, source: "Cheng et al. 2015 (SaliencyCut)", setting: "of 255" }],
  "saliency.iterations": [{ value: 4, source: "Cheng et al. 2015 (SaliencyCut)" }],
};

/** The paper values of a field (dotted path) that apply to `method`: values tied to another method are left out. */
export function paperValues(field: string, method?: string): PaperValue[] {
  const all = PAPER_VALUES[field] ?? [];
  return all.filter((v) => v.method === undefined || v.method === method);
}
