/**
 * The test workspace: a copy of examples/ (without runs/ and SaliencyCut caches), with the
 * example experiment shrunk to a run of seconds, and a writer for the other
 * tiny experiments scenarios need.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { applyEdits, modify, type JSONPath } from "jsonc-parser";

/** A run of a few seconds on 2 cores: 512 images of 16x16, a quarter-width ConvNet, wasm. */
export const TINY: Record<string, unknown> = {
  backend: "wasm",
  limit: { train: 512, test: 200 },
  imageSize: 16,
  model: { backbone: "convnet", width: 0.25, projectorHidden: 32, projectorOut: 16 },
  train: { epochs: 2, batchSize: 64, optimizer: "adam", lr: 0.002, weightDecay: 1e-6, warmupEpochs: 0, logEvery: 1 },
  eval: { every: 1 },
  checkpoint: { every: 1, keep: 0 },
};

export const EXAMPLE_FILE = "fashion-mnist-simclr.ssl.json";

/** Copies examples/ (without runs/ and .ssl-cache/) to `dir`, shrinks the example, and makes one empty folder per scenario. */
export function createWorkspace(repoRoot: string, dir: string, scenarioFolders: string[] = []): string {
  const examples = path.join(repoRoot, "examples");
  fs.cpSync(examples, dir, {
    recursive: true,
    // Left-overs of local runs would change what a scenario starts from.
    filter: (src) => !path.relative(examples, src).split(path.sep).some((part) => part === "runs" || part === ".ssl-cache"),
  });
  // Shrink the example in place, keeping its comments: edits through jsonc-parser.
  const file = path.join(dir, EXAMPLE_FILE);
  let text = fs.readFileSync(file, "utf8");
  for (const [key, value] of Object.entries(TINY)) text = setJsonc(text, [key], value);
  fs.writeFileSync(file, text);
  for (const f of scenarioFolders) fs.mkdirSync(path.join(dir, f), { recursive: true });
  return dir;
}

export function setJsonc(text: string, at: JSONPath, value: unknown): string {
  return applyEdits(text, modify(text, at, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
}

/**
 * Writes `<dir>/<name>.ssl.json`: the tiny config on the embedded dataset,
 * with top-level fields replaced by `overrides` (train is merged one level deep).
 */
export function writeExperiment(dir: string, name: string, overrides: Record<string, unknown> = {}): string {
  const { train, ...rest } = overrides;
  const config = {
    method: "simclr",
    seed: 1,
    dataset: { format: "embedded", name: "fashion-mnist-5k" },
    ...TINY,
    ...rest,
    train: { ...(TINY.train as object), ...(train as object | undefined) },
  };
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.ssl.json`);
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  return file;
}
