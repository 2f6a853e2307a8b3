/**
 * Augmentation: a policy (views of ordered ops, config/augmentSchema.ts) →
 * per-image random draws on the CPU (sample.ts) → batched tensor ops
 * (apply.ts, kernels/).
 */
export { policyViews, viewInstances, type ViewInstance } from "./views";
export { PRESETS } from "./presets";
export { policyIssues, type PolicyIssue } from "./check";
export {
  JITTER_OPS,
  opRng,
  randAugmentOp,
  sampleCrop,
  sampleViewPlan,
  sampleViewPlans,
  type ColorJitterParams,
  type CropBox,
  type DrawOf,
  type JitterOp,
  type OpDraw,
  type SampleContext,
  type ViewPlan,
} from "./sample";
export { applyView, type ApplyOptions } from "./apply";
export { augmentBatch, gatherImages, type BatchViews } from "./batch";
export { colorJitter, cropResizeFlip, luma, randomGrayscale, adjustHue, LUMA_WEIGHTS } from "./simclrView";
