// Helpers for tests that drive the built CLI (dist/cli.js) as a user would.
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const CLI = path.join(__dirname, "..", "..", "dist", "cli.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], cwd: string): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return startCli(args, cwd).done;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ssl-studio-${prefix}-`));
}

/** A tiny experiment on the embedded dataset: a few hundred images, seconds per epoch. */
export function writeTinyExperiment(dir: string, name: string, overrides: Record<string, unknown> = {}): string {
  const file = path.join(dir, `${name}.ssl.json`);
  const config = {
    method: "simclr",
    seed: 7,
    backend: "wasm",
    dataset: { format: "embedded", name: "fashion-mnist-5k" },
    limit: { train: 256, test: 200 },
    imageSize: 16,
    model: { backbone: "convnet", width: 0.25, projectorHidden: 32, projectorOut: 16 },
    train: { epochs: 2, batchSize: 64, optimizer: "sgd", lr: 0.1, warmupEpochs: 0.5, logEvery: 1 },
    eval: { every: 1 },
    checkpoint: { every: 1, keep: 0 },
    ...overrides,
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

export function onlyRun(experimentRunsDir: string): string {
  const runs = fs.readdirSync(experimentRunsDir);
  if (runs.length !== 1) throw new Error(`expected one run in ${experimentRunsDir}, found ${runs.join(", ")}`);
  return path.join(experimentRunsDir, runs[0]!);
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

export function readLines<T>(file: string): T[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** Resolves once `predicate` holds, polling; rejects after `ms`. */
export async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
