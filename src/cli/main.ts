/**
 * ssl-studio: the headless twin of the extension, running the same trainer.
 * Exits non-zero with a one-line reason on failure.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BACKENDS, EVAL_PROTOCOLS, METHODS, type BackendName, type Method } from "../core/config/schema";
import type { Protocol } from "../protocol/runFiles";
import { evalCheckpoints } from "./evalCheckpoint";
import { benchMethods, formatRows } from "./benchMethods";
import { runPretraining } from "../trainer/pretrain";
import { describeReport } from "../core/eval/suite";
import { ProgressView } from "./progressView";
import { doctor, formatDoctor } from "./doctor";
import { benchStep } from "./benchStep";
import { previewGrid } from "./preview";
import { benchAugment } from "./benchAugment";
import { benchSaliency } from "./benchSaliency";
import { AUGMENT_PRESETS, type AugmentPreset } from "../core/config/augmentSchema";
import { cacheCommand } from "./cacheCommand";
import { saliencyOfFile } from "./saliencyCommand";
import { SALIENCY_MAPS, SALIENCY_OUTPUTS, defaultSaliencyConfig, saliencyParams } from "../core/config/saliencySchema";

const USAGE = `usage:
  ssl-studio pretrain <file.ssl.json> [--resume <runDir|checkpoint>] [--backend ${BACKENDS.join("|")}]
  ssl-studio preview <file.ssl.json> [--out grid.png] [--seed N] [--count 8] [--epoch 0] [--scale S] [--backend …]
  ssl-studio eval <checkpoint|runDir>... [--protocol knn,linear,layers,rotation,collapse] [--json out.json] [--backend …]
  ssl-studio saliency <image> [--out mask.png] [--regions regions.png] [--threshold 70] [--map ${SALIENCY_MAPS.join("|")}] [--iterations 4] [--scale 1] [--output ${SALIENCY_OUTPUTS.join("|")}]
  ssl-studio cache build <file.ssl.json> [--workers N]
  ssl-studio cache stats|clear <file.ssl.json>
  ssl-studio cache verify <file.ssl.json> [--fix]
  ssl-studio doctor
  ssl-studio bench step [--backend …] [--method simclr|…|mae] [--backbone resnet18|convnet|vit] [--width 1] [--batch 128] [--size 32] [--warmup 2] [--steps 5] [--micro-batch N]
  ssl-studio bench methods [--methods simclr,moco,…] [--epochs 5] [--train 5000] [--out bench-runs] [--backend …]
  ssl-studio bench saliency [--scenes 20] [--steps 5] [--workers 1] [--backend …]
  ssl-studio bench augment [--backend …] [--preset simclr] [--batch 256] [--sizes 32,96] [--backbone convnet|resnet18] [--width 1] [--no-step]`;

class UsageError extends Error {}

function backendOption(value: string | undefined): BackendName | undefined {
  if (value === undefined) return undefined;
  if (!(BACKENDS as readonly string[]).includes(value)) throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, not "${value}"`);
  return value as BackendName;
}

function numberOption(name: string, value: string | undefined, fallback: number, min = Number.MIN_VALUE): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new UsageError(`--${name} must be a number ≥ ${min === Number.MIN_VALUE ? "0 (exclusive)" : min}, not "${value}"`);
  return n;
}

async function pretrain(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { resume: { type: "string" }, backend: { type: "string" } } });
  if (positionals.length !== 1) throw new UsageError("pretrain needs exactly one experiment file");
  const view = new ProgressView(process.stdout);
  let stops = 0;
  const onSignal = () => {
    stops++;
    if (stops > 1) process.exit(130);
    view.show({ type: "log", level: "warn", message: "stopping after this step (a checkpoint is written; Ctrl+C again to quit at once)" });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const summary = await runPretraining(
    { experimentFile: positionals[0]!, resumeRunDir: values.resume, backend: backendOption(values.backend), shouldStop: () => stops > 0 },
    (m) => view.show(m),
  );
  const pct = (x: number | undefined) => (x === undefined ? "n/a" : `${(x * 100).toFixed(2)}%`);
  console.log(
    `${summary.status}: ${summary.epochsDone}/${summary.epochs} epochs, ${summary.steps} steps, ${summary.wallSeconds.toFixed(0)} s on ${summary.backend}; ` +
      `final loss ${summary.finalLoss?.toFixed(4) ?? "n/a"}; kNN accuracy before ${pct(summary.knnInitial)} → after ${pct(summary.knnFinal)}`,
  );
  if (summary.finalEval) console.log(`final evaluation: ${describeReport(summary.finalEval)}`);
  return summary.status === "finished" ? 0 : 3;
}

/** A whole number ≥ min, or the fallback when the option is absent. */
function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  const n = numberOption(name, value, fallback, min);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be a whole number, not "${value}"`);
  return n;
}

async function preview(args: string[]): Promise<number> {
  const opt = { type: "string" } as const;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: opt, seed: opt, count: opt, epoch: opt, scale: opt, backend: opt } });
  if (positionals.length !== 1) throw new UsageError("preview needs exactly one experiment file");
  const file = positionals[0]!;
  await previewGrid(
    {
      experimentFile: file,
      out: values.out ?? `${path.basename(file).replace(/\.ssl\.json$|\.json$/i, "")}-preview.png`,
      seed: values.seed === undefined ? undefined : intOption("seed", values.seed, 0, 0),
      count: intOption("count", values.count, 8, 1),
      epoch: intOption("epoch", values.epoch, 0, 0),
      scale: values.scale === undefined ? undefined : intOption("scale", values.scale, 1, 1),
      backend: backendOption(values.backend),
    },
    (line) => console.log(line),
  );
  return 0;
}

async function evalCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { protocol: { type: "string" }, json: { type: "string" }, backend: { type: "string" } } });
  if (positionals.length === 0) throw new UsageError("eval needs at least one checkpoint or run folder");
  const protocols = (values.protocol ?? EVAL_PROTOCOLS.join(",")).split(",").map((p) => p.trim());
  const unknown = protocols.filter((p) => !(EVAL_PROTOCOLS as readonly string[]).includes(p));
  if (unknown.length) throw new UsageError(`--protocol: unknown ${unknown.join(", ")} (available: ${EVAL_PROTOCOLS.join(", ")})`);
  const out = await evalCheckpoints({ targets: positionals, protocols: protocols as Protocol[], backend: backendOption(values.backend) }, (line) => console.log(line));
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(out, null, 2) + "\n");
  return 0;
}

async function saliency(args: string[]): Promise<number> {
  const opt = { type: "string" } as const;
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: opt, regions: opt, threshold: opt, map: opt, iterations: opt, scale: opt, output: opt } });
  if (positionals.length !== 1) throw new UsageError("saliency needs exactly one image file");
  const image = positionals[0]!;
  const d = saliencyParams(defaultSaliencyConfig());
  const oneOf = <T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, not "${value}"`);
    return value as T;
  };
  const threshold = intOption("threshold", values.threshold, d.threshold, 1);
  if (threshold > 254) throw new UsageError(`--threshold must be at most 254, not ${threshold}`);
  const scale = numberOption("scale", values.scale, d.scale);
  if (scale > 1) throw new UsageError(`--scale must be at most 1, not ${scale}`);
  await saliencyOfFile(
    {
      image,
      out: values.out ?? `${image.replace(/\.[^./\\]+$/, "")}.mask.png`,
      regions: values.regions,
      params: {
        map: oneOf("map", values.map, SALIENCY_MAPS, d.map),
        output: oneOf("output", values.output, SALIENCY_OUTPUTS, d.output),
        threshold,
        iterations: intOption("iterations", values.iterations, d.iterations, 1),
        scale,
      },
    },
    (line) => console.log(line),
  );
  return 0;
}

async function bench(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  if (what === "augment") return benchAugmentCommand(rest);
  if (what === "methods") return benchMethodsCommand(rest);
  if (what === "saliency") return benchSaliencyCommand(rest);
  if (what !== "step") throw new UsageError(`unknown benchmark "${what ?? ""}" (available: step, augment, methods, saliency)`);
  const opt = { type: "string" } as const;
  const { values } = parseArgs({ args: rest, options: { backend: opt, backbone: opt, width: opt, batch: opt, size: opt, warmup: opt, steps: opt, "micro-batch": opt, method: opt } });
  const backbone = values.backbone ?? (values.method === "mae" ? "vit" : "resnet18");
  if (backbone !== "resnet18" && backbone !== "convnet" && backbone !== "vit") throw new UsageError(`--backbone must be resnet18, convnet or vit`);
  if (values.method !== undefined && !(METHODS as string[]).includes(values.method)) throw new UsageError(`--method must be one of ${METHODS.join(", ")}`);
  await benchStep(
    {
      backend: backendOption(values.backend) ?? "auto",
      backbone,
      method: values.method as Method | undefined,
      width: numberOption("width", values.width, 1),
      batch: numberOption("batch", values.batch, 128),
      size: numberOption("size", values.size, 32),
      warmup: numberOption("warmup", values.warmup, 2, 0),
      steps: numberOption("steps", values.steps, 5),
      microBatch: values["micro-batch"] === undefined ? undefined : numberOption("micro-batch", values["micro-batch"], 0),
    },
    (line) => console.log(line),
  );
  return 0;
}

async function benchMethodsCommand(args: string[]): Promise<number> {
  const opt = { type: "string" } as const;
  const { values } = parseArgs({ args, options: { methods: opt, epochs: opt, train: opt, out: opt, backend: opt } });
  const methods = values.methods ? values.methods.split(",").map((m) => m.trim()) : [...METHODS];
  const unknown = methods.filter((m) => !(METHODS as readonly string[]).includes(m));
  if (unknown.length) throw new UsageError(`--methods: unknown ${unknown.join(", ")} (available: ${METHODS.join(", ")})`);
  const rows = await benchMethods(
    {
      methods: methods as Method[],
      epochs: intOption("epochs", values.epochs, 5, 1),
      trainImages: intOption("train", values.train, 5000, 256),
      out: path.resolve(values.out ?? "bench-runs"),
      backend: backendOption(values.backend),
    },
    (line) => console.log(line),
  );
  console.log(formatRows(rows));
  return 0;
}

async function benchSaliencyCommand(args: string[]): Promise<number> {
  const opt = { type: "string" } as const;
  const { values } = parseArgs({ args, options: { scenes: opt, steps: opt, workers: opt, backend: opt } });
  await benchSaliency(
    {
      scenes: intOption("scenes", values.scenes, 20, 2),
      steps: intOption("steps", values.steps, 5, 1),
      workers: intOption("workers", values.workers, 1, 1),
      backend: backendOption(values.backend) ?? "auto",
    },
    (line) => console.log(line),
  );
  return 0;
}

async function benchAugmentCommand(args: string[]): Promise<number> {
  const opt = { type: "string" } as const;
  const { values } = parseArgs({
    args,
    options: { backend: opt, preset: opt, batch: opt, sizes: opt, warmup: opt, steps: opt, backbone: opt, width: opt, "no-step": { type: "boolean" } },
  });
  const preset = values.preset ?? "simclr";
  if (!(AUGMENT_PRESETS as readonly string[]).includes(preset)) throw new UsageError(`--preset must be one of ${AUGMENT_PRESETS.join(", ")}`);
  const backbone = values.backbone ?? "convnet";
  if (backbone !== "resnet18" && backbone !== "convnet") throw new UsageError(`--backbone must be resnet18 or convnet`);
  const sizes = (values.sizes ?? "32,96").split(",").map((s) => numberOption("sizes", s, 0));
  await benchAugment(
    {
      backend: backendOption(values.backend) ?? "auto",
      preset: preset as AugmentPreset,
      batch: numberOption("batch", values.batch, 256),
      sizes,
      warmup: numberOption("warmup", values.warmup, 1, 0),
      steps: numberOption("steps", values.steps, 5),
      backbone,
      width: numberOption("width", values.width, 1),
      noStep: values["no-step"] ?? false,
    },
    (line) => console.log(line),
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "pretrain":
      return pretrain(rest);
    case "preview":
      return preview(rest);
    case "eval":
      return evalCommand(rest);
    case "saliency":
      return saliency(rest);
    case "cache":
      return cacheCommand(rest, (message) => new UsageError(message));
    case "doctor":
      console.log(formatDoctor(await doctor()));
      return 0;
    case "bench":
      return bench(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`ssl-studio: ${message.split("\n")[0]}`);
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
