import { ConfigError, parseExperiment } from "../core/config/load";
import type { Experiment } from "../core/config/schema";

/** A validated experiment from an inline object, defaults filled: for commands that run without a file. */
export function experimentFromJson(partial: object, label: string): Experiment {
  const { config, issues } = parseExperiment(JSON.stringify(partial), label, { checkPaths: false });
  if (!config) throw new ConfigError(label, issues);
  return config;
}
