/** Augmentations: SimCLR's two views (parameters on the CPU, pixels as batched tensor ops). */
export {
  JITTER_OPS,
  identityViewParams,
  sampleBatchViewParams,
  sampleColorJitter,
  sampleCrop,
  sampleViewParams,
  viewRng,
  type AugmentConfig,
  type BatchViewOptions,
  type ColorJitterParams,
  type CropBox,
  type JitterOp,
  type ViewParams,
} from "./simclrParams";
export {
  LUMA_WEIGHTS,
  adjustHue,
  applyViews,
  colorJitter,
  cropResizeFlip,
  jitterBatchOrder,
  luma,
  randomGrayscale,
} from "./simclrView";
