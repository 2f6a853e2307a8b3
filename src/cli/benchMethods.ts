/**
 * `ssl-studio bench methods`: every method pretrained by the real trainer on
 * the embedded Fashion-MNIST subset with the same small budget, then
 * evaluated (kNN, linear probe on all labels, collapse indicators), next to
 * the same backbone at random init. Each method runs at its defaults: its
 * own augmentation policy and settings; only the budget (backbone, epochs,
 * batch, optimiser) is shared. Run folders go to --out.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExperiment } from "../core/config/load";
import type { BackendName, Method } from "../core/config/schema";
import { runPretraining } from "../trainer/pretrain";
import type { EvalReport, MetricRow, RunSummary } from "../protocol/runFiles";

export interface BenchMethodsOptions {
  methods: Method[];
  epochs: number;
  /** Training images (of 5,000). */
  trainImages: number;
  out: string;
  backend?: BackendName;
}

export interface MethodRow {
  method: string;
  backbone: string;
  epochs: number;
  /** Wall time of the run, evaluations included. */
  seconds: number;
  /** Median training throughput (two views or more per image). */
  imagesPerSec: number;
  knn?: number;
  linear?: number;
  /** Same backbone at random init (epoch 0 of the run). */
  knnInit?: number;
  linearInit?: number;
  stdRatio?: number;
  skipped?: string;
}

/** The shared budget, and what only some methods need. */
function experiment(method: Method, o: BenchMethodsOptions): object {
  const vit = method === "mae";
  return {
    method,
    seed: 0,
    backend: o.backend ?? "auto",
    dataset: { format: "embedded", name: "fashion-mnist-5k" },
    limit: { train: o.trainImages },
    imageSize: 28,
    model: vit ? { backbone: "vit", projectorHidden: 256, projectorOut: 64 } : { backbone: "convnet", width: 0.5, projectorHidden: 256, projectorOut: 64 },
    // A queue over most of a 5k-image dataset would hold older keys of the batch's own images.
    moco: { queueSize: 1024 },
    // MAE's ViT wants a lower rate and real weight decay (He et al. 2022: AdamW, lr 1.5e-4 x batch/256, decay 0.05).
    train: { epochs: o.epochs, batchSize: 256, optimizer: "adam", lr: vit ? 0.001 : 0.002, weightDecay: vit ? 0.05 : 1e-6, warmupEpochs: 1, logEvery: 10 },
    // Linear at init and at the end only: evaluations at epoch 0 and after the last epoch.
    eval: { every: o.epochs, protocols: ["knn", "linear"], final: ["knn", "linear", "collapse"], linearFractions: [1] },
    checkpoint: { every: o.epochs, keep: 1 },
  };
}

const linearAll = (r?: EvalReport) => r?.linear?.find((l) => l.fraction === 1)?.accuracy;

/** The run's first evaluation (epoch 0: random init) and its median training images/s (evaluations excluded). */
function readMetrics(runDir: string): { init?: EvalReport; imagesPerSec: number } {
  const rows = fs
    .readFileSync(path.join(runDir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricRow);
  const rates = rows.flatMap((r) => (r.kind === "train" ? [r.imagesPerSec] : [])).sort((a, b) => a - b);
  return { init: rows.find((r) => r.kind === "eval"), imagesPerSec: rates[Math.floor(rates.length / 2)] ?? 0 };
}

export async function benchMethods(o: BenchMethodsOptions, log: (line: string) => void): Promise<MethodRow[]> {
  fs.mkdirSync(o.out, { recursive: true });
  const rows: MethodRow[] = [];
  for (const method of o.methods) {
    const file = path.join(o.out, `bench-${method}.ssl.json`);
    const config = experiment(method, o);
    // A method the config check refuses on this data (colorization on grayscale images) is reported, not run.
    const refused = parseExperiment(JSON.stringify(config), file).issues[0];
    if (refused) {
      rows.push({ method, backbone: "-", epochs: 0, seconds: 0, imagesPerSec: 0, skipped: refused.message });
      log(`${method}: skipped (${refused.message})`);
      continue;
    }
    fs.writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
    log(`${method}: training ${o.epochs} epochs on ${o.trainImages} images…`);
    let runDir = "";
    const summary: RunSummary = await runPretraining({ experimentFile: file }, (m) => {
      if (m.type === "runStarted") runDir = m.runDir;
    });
    const { init, imagesPerSec } = readMetrics(runDir);
    const row: MethodRow = {
      method,
      backbone: (config as { model: { backbone: string } }).model.backbone,
      epochs: summary.epochsDone,
      seconds: summary.wallSeconds,
      imagesPerSec,
      knn: summary.finalEval?.knn,
      linear: linearAll(summary.finalEval),
      knnInit: init?.knn,
      linearInit: linearAll(init),
      stdRatio: summary.finalEval?.collapse?.stdRatio,
    };
    rows.push(row);
    log(formatRows([row]).split("\n").pop()!);
  }
  return rows;
}

export function formatRows(rows: MethodRow[]): string {
  const pct = (x?: number) => (x === undefined ? "-" : `${(x * 100).toFixed(1)}%`);
  const lines = [
    "| method | backbone | epochs | wall time | images/s | kNN | linear | kNN at init | linear at init | std x sqrt(d) |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    if (r.skipped) lines.push(`| ${r.method} | - | - | - | - | - | - | - | - | skipped: ${r.skipped} |`);
    else {
      lines.push(
        `| ${r.method} | ${r.backbone} | ${r.epochs} | ${r.seconds.toFixed(0)} s | ${r.imagesPerSec.toFixed(0)} | ${pct(r.knn)} | ${pct(r.linear)} | ${pct(r.knnInit)} | ${pct(r.linearInit)} | ${r.stdRatio?.toFixed(2) ?? "-"} |`,
      );
    }
  }
  return lines.join("\n");
}
