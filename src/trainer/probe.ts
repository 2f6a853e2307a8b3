import * as tf from "@tensorflow/tfjs-core";
import type { Experiment } from "../core/config/schema";
import type { ImageDataset } from "../core/data/dataset";
import type { SslModel } from "../core/models/build";
import type { ForwardContext } from "../core/models/layers";
import { imageBatch } from "../core/eval/features";
import { viewInstances } from "../core/augment";

/** A forward and backward pass on two images, so a backend missing a gradient kernel fails now with a clear message, not mid-run. */
export function probeGradients(model: SslModel, data: ImageDataset, config: Experiment, backend: string): void {
  const ctx: ForwardContext = { training: true, updates: [] };
  try {
    const { value, grads } = tf.variableGrads(() => {
      const x = imageBatch(data, 0, Math.min(2, data.count), config.imageSize);
      const views = viewInstances(config).map((v) => (v.size === config.imageSize ? x : tf.image.resizeBilinear(x, [v.size, v.size])));
      const progress = { step: 0, totalSteps: 1, epoch: 0, stepsPerEpoch: 1 };
      return model.method.objective(model.method.forward(views, ctx, progress), progress);
    }, model.vars.params.map((p) => p.variable));
    tf.dispose([value, ...Object.values(grads)]);
  } catch (error) {
    throw new Error(
      `backend "${backend}" cannot train this model: ${(error as Error).message}. Run \`ssl-studio doctor\`, or choose another backend with --backend.`,
    );
  } finally {
    tf.dispose(ctx.updates.map((u) => u.value));
  }
}

