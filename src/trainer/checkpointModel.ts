/**
 * A saved checkpoint with what made it: the config its run recorded (so the
 * model and the data are those it trained on) and its weights in a model.
 * Shared by `ssl-studio eval` and the Checkpoint Browser's worker.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExperiment } from "../core/config/load";
import type { Experiment } from "../core/config/schema";
import { buildModel, disposeModel, type SslModel } from "../core/models/build";
import { loadCheckpointArrays } from "../core/run/checkpoint";
import { restoreWeights } from "./modelState";

/** The run's recorded config: checkpoints live in <run>/checkpoints/<name>/. */
export function recordedRunConfig(checkpoint: string): Experiment {
  const file = path.join(checkpoint, "..", "..", "config.json");
  if (!fs.existsSync(file)) throw new Error(`${checkpoint}: no config.json in its run folder (${path.dirname(file)})`);
  const { config, issues } = parseExperiment(fs.readFileSync(file, "utf8"), file, { checkPaths: false });
  if (!config) throw new Error(`${file}: ${issues.map((i) => `${i.field}: ${i.message}`).join("; ")}`);
  return config;
}

/** The model of `config` for data with `channels`, with the checkpoint's weights. The caller disposes it (disposeModel). */
export function loadCheckpointModel(checkpoint: string, config: Experiment, channels: number): SslModel {
  const model = buildModel(config, channels);
  try {
    restoreWeights(model, loadCheckpointArrays(checkpoint), checkpoint);
  } catch (error) {
    disposeModel(model);
    throw error;
  }
  return model;
}
