export { learningRate, peakLearningRate, type ScheduleOptions } from "./schedule";
export {
  createOptimizer,
  LARS_ETA,
  ADAM_BETA2,
  ADAM_EPS,
  type Optimizer,
  type OptimizerKind,
  type OptimizerOptions,
  type Gradients,
  type SlotTensor,
  type SlotValues,
} from "./optimizer";
