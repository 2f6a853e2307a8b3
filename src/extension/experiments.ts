/**
 * Experiment files as the tree and commands see them: which file a command
 * should act on, and the name and runs folder of a file whether or not its
 * config is currently valid (runs of a config being edited stay visible).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "jsonc-parser";
import { ConfigError, experimentNameFromFile, loadExperiment } from "../core/config/load";

export const EXPERIMENT_GLOB = "**/*.ssl.json";
/** Folders never searched for experiment files: dependencies and run outputs. */
export const EXPERIMENT_EXCLUDE = "**/{node_modules,.git}/**";

export function isExperimentFile(file: string | undefined): file is string {
  return !!file && /\.ssl\.json$/i.test(file);
}

export type ExperimentChoice = { kind: "use"; file: string } | { kind: "pick"; files: string[] } | { kind: "none" };

/**
 * The active editor's experiment wins; a workspace with a single experiment
 * needs no question; otherwise the user picks.
 */
export function chooseExperimentFile(activeFile: string | undefined, workspaceFiles: readonly string[]): ExperimentChoice {
  if (isExperimentFile(activeFile)) return { kind: "use", file: activeFile };
  const files = [...new Set(workspaceFiles.filter(isExperimentFile))].sort((a, b) => a.localeCompare(b));
  if (files.length === 0) return { kind: "none" };
  if (files.length === 1) return { kind: "use", file: files[0]! };
  return { kind: "pick", files };
}

export interface ExperimentInfo {
  file: string;
  name: string;
  runsDir: string;
  /** Set when the config does not load; the name and runs folder are then best guesses. */
  problem?: { message: string; field: string; line: number };
}

/**
 * Name and runs folder from loadExperiment, or, when the file has a problem,
 * from whatever `name` and `runsDir` its text still has.
 */
export function describeExperiment(file: string): ExperimentInfo {
  const abs = path.resolve(file);
  try {
    const loaded = loadExperiment(abs);
    return { file: abs, name: loaded.name, runsDir: loaded.runsDir };
  } catch (e) {
    const issue = e instanceof ConfigError ? e.issues[0] : undefined;
    const problem = {
      message: e instanceof Error ? e.message : String(e),
      field: issue?.field ?? "",
      line: issue?.line ?? 1,
    };
    let raw: unknown;
    try {
      raw = parse(fs.readFileSync(abs, "utf8"), [], { allowTrailingComma: true });
    } catch {
      raw = undefined;
    }
    const o = raw && typeof raw === "object" ? (raw as { name?: unknown; runsDir?: unknown }) : {};
    const name = typeof o.name === "string" && o.name ? o.name : experimentNameFromFile(abs);
    const runsRoot = typeof o.runsDir === "string" && o.runsDir ? o.runsDir : "runs";
    return { file: abs, name, runsDir: path.join(path.resolve(path.dirname(abs), runsRoot), name), problem };
  }
}
