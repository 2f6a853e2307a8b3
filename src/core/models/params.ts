/**
 * Trainable parameters and non-trainable state (BatchNorm running statistics)
 * of a model, kept by name so optimisers and checkpoints can address them.
 */
import * as tf from "@tensorflow/tfjs-core";

export interface Param {
  /** Unique dotted name, e.g. "backbone.layer1.0.conv1.kernel". */
  name: string;
  variable: tf.Variable;
  /**
   * Whether weight decay and LARS trust-ratio adaptation apply. False for
   * biases and BatchNorm gamma/beta, as in SimCLR's LARS setup.
   */
  decay: boolean;
}
