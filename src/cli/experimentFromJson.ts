import { ConfigError, parseExperiment } from "../core/config/load";
import type { Experiment } from "../core/config/schema";

/**
 * A validated experiment from an inline object, defaults filled: for commands
 * that run without a file. They feed their own images, so the dataset is only
 * a placeholder.
 */
export function experimentFromJson(partial: object, label: string): Experiment {
  const withData = { dataset: { format: "embedded", name: "fashion-mnist-5k" }, ...partial };
  const { config, issues } = parseExperiment(JSON.stringify(withData), label, { checkPaths: false });
  if (!config) throw new ConfigError(label, issues);
  return config;
}
