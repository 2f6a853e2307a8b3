/**
 * The pretraining loop shared by the CLI and the extension's child process:
 * experiment → backend → data → model → epochs of the method's steps, with kNN
 * evaluations, checkpoints and a run folder. Every random choice derives from
 * (seed, epoch, image index), so a resumed run retraces an uninterrupted one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Experiment } from "../core/config/schema";
import { loadExperiment, parseExperiment, datasetPathFields, ConfigError, type LoadedExperiment } from "../core/config/load";
import { selectBackend } from "../core/backend/select";
import { explainBackendError } from "../core/backend/explainError";
import { loadDataset } from "../core/data/load";
import { openRegionMaps } from "../core/saliency/regionMaps";
import { buildModel, disposeModel } from "../core/models/build";
import { createOptimizer, learningRate } from "../core/optim";
import { describeReport, evaluateModel, runnable } from "../core/eval/suite";
import { imageBatch } from "../core/eval/features";
import { writeSnapshotPng } from "../core/methods/snapshotGrid";
import { Rng } from "../core/random";
import { listCheckpoints, loadCheckpointArrays, pruneCheckpoints, saveCheckpoint } from "../core/run/checkpoint";
import { modelArrays, restoreModel } from "./modelState";
import type { MetricRow, Protocol, RunEvent, RunSummary } from "../protocol/runFiles";
import type { TrainerToHost } from "../protocol/trainerMessages";
import { RunDir } from "./runDir";
import { probeGradients } from "./probe";
import { trainStep } from "./trainStep";
import { fixedParams, initFromCheckpoint } from "./initFromCheckpoint";

export interface PretrainOptions {
  experimentFile: string;
  /**
   * Continue this run folder from its last complete checkpoint, or from one
   * of its checkpoint folders (runs/<experiment>/<run>/checkpoints/<n>), whose
   * later checkpoints are then discarded.
   */
  resumeRunDir?: string;
  /** Overrides the config's backend. */
  backend?: Experiment["backend"];
  /** Polled after every step; true finishes the step, writes a checkpoint and stops. */
  shouldStop?: () => boolean;
}

type Emit = (message: TrainerToHost) => void;

interface Position {
  /** Completed epochs. */
  epoch: number;
  /** Completed batches of the current epoch. */
  batch: number;
  step: number;
}

/** A resume target: a run folder (its last checkpoint), or one of its checkpoint folders. */
function resumePoint(where: string): { runDir: string; checkpoint?: string } {
  const abs = path.resolve(where);
  if (path.basename(path.dirname(abs)) === "checkpoints" && fs.existsSync(path.join(abs, "meta.json"))) return { runDir: path.dirname(path.dirname(abs)), checkpoint: abs };
  return { runDir: abs };
}

/** Resolve the experiment for a new run, or the recorded config of a run to resume. */
function resolveExperiment(opts: PretrainOptions): LoadedExperiment {
  const loaded = loadExperiment(opts.experimentFile);
  if (!opts.resumeRunDir) return loaded;
  // A resumed run keeps the config it started with, whatever the file says now.
  const configFile = path.join(resumePoint(opts.resumeRunDir).runDir, "config.json");
  if (!fs.existsSync(configFile)) throw new Error(`--resume ${opts.resumeRunDir}: not a run folder (no config.json)`);
  const { config, issues } = parseExperiment(fs.readFileSync(configFile, "utf8"), configFile, { checkPaths: false });
  if (!config) throw new ConfigError(configFile, issues);
  return { ...loaded, config };
}

/** The config as recorded in config.json: defaults filled, dataset paths absolute so the run folder stands alone. */
function recordedConfig(exp: LoadedExperiment): Experiment {
  const dir = path.dirname(exp.file);
  const d = { ...exp.config.dataset } as Record<string, unknown>;
  for (const { field, value } of datasetPathFields(exp.config)) d[field] = path.resolve(dir, value);
  const init = exp.config.init && { ...exp.config.init, checkpoint: path.resolve(dir, exp.config.init.checkpoint) };
  const saliency = { ...exp.config.saliency, cache: { ...exp.config.saliency.cache, dir: path.resolve(dir, exp.config.saliency.cache.dir) } };
  return { ...exp.config, name: exp.name, dataset: d as Experiment["dataset"], saliency, ...(init ? { init } : {}) };
}

export async function runPretraining(opts: PretrainOptions, emit: Emit): Promise<RunSummary> {
  const exp = resolveExperiment(opts);
  const config = exp.config;
  const log = (level: "info" | "warn" | "error", message: string) => emit({ type: "log", level, message });
  const onEvent = (e: RunEvent) =>
    log(e.type === "failed" ? "error" : e.type === "warning" || e.type === "skipped-image" ? "warn" : "info", e.message);

  const choice = await selectBackend(opts.backend ?? config.backend);

  const data = await loadDataset(config, path.dirname(exp.file));
  const { train } = data;
  // Before the model and the run folder: a missing cache stops the run with nothing to clean up.
  const regionMaps = await openRegionMaps(config, path.dirname(exp.file), train, { onMiss: config.saliency.cache.onMiss, buildCommand: `ssl-studio cache build ${exp.file}` });
  if (regionMaps) log("info", regionMaps.describe());

  const model = buildModel(config, train.channels);
  const optimizer = createOptimizer(config.train.optimizer, { momentum: config.train.momentum, weightDecay: config.train.weightDecay });
  probeGradients(model, train, config, choice.backend);
  const fixed = fixedParams(config.init);
  // A resumed run has its weights in its own checkpoint.
  const init = !opts.resumeRunDir && config.init ? initFromCheckpoint(model, config.init, train, config) : undefined;

  const batchSize = Math.min(config.train.batchSize, train.count);
  const stepsPerEpoch = Math.floor(train.count / batchSize);
  const totalSteps = stepsPerEpoch * config.train.epochs;
  const schedule = {
    baseLr: config.train.lr,
    batchSize,
    warmupSteps: Math.round(config.train.warmupEpochs * stepsPerEpoch),
    totalSteps,
  };

  let run: RunDir;
  let pos: Position = { epoch: 0, batch: 0, step: 0 };
  let summary: RunSummary;
  if (opts.resumeRunDir) {
    const point = resumePoint(opts.resumeRunDir);
    run = RunDir.open(point.runDir, onEvent);
    const all = listCheckpoints(run.checkpointsDir);
    const last = point.checkpoint ? all.find((c) => path.resolve(c.dir) === point.checkpoint) : all.at(-1);
    const previous = run.summary();
    if (!last) throw new Error(`${point.checkpoint ?? run.dir}: no complete checkpoint to resume from`);
    restoreModel(model, optimizer, loadCheckpointArrays(last.dir), last.meta.step, last.dir);
    // Going back: the later checkpoints belong to the continuation being replaced.
    const discarded = all.filter((c) => c.meta.step > last.meta.step);
    for (const c of discarded) fs.rmSync(c.dir, { recursive: true, force: true });
    pos = { epoch: last.meta.epoch, batch: last.meta.step - last.meta.epoch * stepsPerEpoch, step: last.meta.step };
    run.truncateMetricsAfter(pos.step);
    summary = {
      ...previous!,
      status: "running",
      pid: process.pid,
      backend: choice.backend,
      epochsDone: pos.epoch,
      steps: pos.step,
      wallSeconds: last.meta.wallSeconds,
      error: undefined,
      endedAt: undefined,
      ...(discarded.length ? { finalEval: undefined, knnFinal: last.meta.knn } : {}),
    };
    const dropped = discarded.length ? `; discarded the later checkpoint${discarded.length === 1 ? "" : "s"} ${discarded.map((c) => c.name).join(", ")}` : "";
    run.event("resumed", `resumed from checkpoint ${path.basename(last.dir)} (epoch ${pos.epoch}, step ${pos.step})${dropped}`, { checkpoint: last.dir });
  } else {
    run = RunDir.create(exp.runsDir, recordedConfig(exp), onEvent);
    summary = {
      experiment: exp.name,
      runId: run.runId,
      method: config.method,
      status: "running",
      pid: process.pid,
      backend: choice.backend,
      startedAt: new Date().toISOString(),
      epochs: config.train.epochs,
      epochsDone: 0,
      steps: 0,
      trainImages: train.count,
      skippedImages: data.skipped.length,
      wallSeconds: 0,
    };
    run.event("started", `${config.method} on ${train.source}: ${train.count} images ${train.height}x${train.width}x${train.channels}, ${config.train.epochs} epochs of ${stepsPerEpoch} steps (batch ${batchSize})`, {
      experimentFile: exp.file,
    });
    if (init) {
      run.event(
        "init",
        `backbone initialised from ${init.checkpoint} (${init.loaded} variables; BatchNorm statistics re-estimated on ${init.bnBatches} batches); training ${config.init!.trainable === "batchnorm" ? "only BatchNorm gamma/beta of the backbone, and the heads" : "all weights"}`,
        { checkpoint: init.checkpoint, trainable: config.init!.trainable },
      );
    }
  }
  const skipped = choice.attempts.filter((a) => !a.ok).map((a) => `${a.backend} (${a.detail})`);
  run.event(
    "backend",
    `backend ${choice.backend}: ${choice.attempts.find((a) => a.ok)?.detail ?? ""}${skipped.length ? `; skipped ${skipped.join(", ")}` : ""}`,
    { attempts: choice.attempts },
  );
  for (const s of data.skipped) run.event("skipped-image", `skipped ${s.file}: ${s.reason}`, { file: s.file, reason: s.reason });
  if (data.skipped.length) run.event("data", `${data.skipped.length} unreadable image(s) skipped`, { count: data.skipped.length });
  const notRunnable = runnable([...config.eval.protocols, ...config.eval.final], data, model).skipped;
  const needLabels = [...new Set(notRunnable.filter((p) => p !== "collapse"))];
  if (needLabels.length) run.event("warning", `no labelled test split: ${needLabels.join(", ")} evaluation is skipped (the rotation proxy and collapse indicators need no labels)`);
  if (config.method === "moco" && config.moco.queueSize >= train.count) {
    run.event("warning", `moco.queueSize ${config.moco.queueSize} is not below the ${train.count} training images: the queue holds older keys of the batch's own images as negatives; use a smaller queue`);
  }
  if (notRunnable.includes("collapse")) run.event("data", `${config.method} has no joint embedding: the collapse indicators are skipped`);
  run.writeSummary(summary);
  emit({
    type: "runStarted",
    runDir: run.dir,
    runId: run.runId,
    experiment: exp.name,
    backend: choice.backend,
    epochs: config.train.epochs,
    stepsPerEpoch,
    resumedFromEpoch: opts.resumeRunDir ? pos.epoch : undefined,
  });

  const attemptStart = Date.now();
  const wallBefore = summary.wallSeconds;
  const wall = () => wallBefore + (Date.now() - attemptStart) / 1000;
  let lastLoss = summary.finalLoss ?? NaN;
  // The panel plotting this run gets each row as it is logged, without reading the file again.
  const record = (row: MetricRow) => {
    run.metric(row);
    emit({ type: "metric", row });
  };
  // The kNN of the current position only: a checkpoint between evaluations has none.
  let knnAt: { step: number; knn: number } | undefined;

  // Methods with something to show (MAE's reconstructions) save it with every evaluation, on the same images and masks.
  const saveSnapshot = async (epoch: number): Promise<string | undefined> => {
    if (!model.method.snapshot) return undefined;
    const relative = path.join("snapshots", `epoch-${epoch}.png`);
    const images = imageBatch(data.test ?? train, 0, Math.min(8, (data.test ?? train).count), config.imageSize);
    try {
      await writeSnapshotPng(path.join(run.dir, relative), model.method.snapshot(images, config.seed), { scale: 4 });
    } finally {
      images.dispose();
    }
    return relative;
  };

  const evaluate = async (protocols: readonly Protocol[]) => {
    if (!runnable(protocols, data, model).run.length) return;
    const report = await evaluateModel(model, data, config, protocols, (p) => log("info", `epoch ${pos.epoch}: evaluating (${p})`));
    if (report.knn !== undefined) {
      knnAt = { step: pos.step, knn: report.knn };
      if (pos.epoch === 0) summary.knnInitial = report.knn;
      summary.knnFinal = report.knn;
    }
    const snapshot = await saveSnapshot(pos.epoch);
    record({ kind: "eval", step: pos.step, epoch: pos.epoch, time: wall(), ...report, ...(snapshot ? { snapshot } : {}) });
    run.event("eval", `epoch ${pos.epoch}: ${describeReport(report)}`, { epoch: pos.epoch, ...report });
    if (report.collapse?.collapsed) {
      run.event(
        "warning",
        `epoch ${pos.epoch}: the embeddings have collapsed (std ${report.collapse.std.toFixed(4)}, healthy ~${(1 / Math.sqrt(report.collapse.dim)).toFixed(4)}; effective rank ${report.collapse.effectiveRank.toFixed(1)} of ${report.collapse.dim}): check the learning rate, the augmentations and the method's anti-collapse settings`,
        { epoch: pos.epoch, ...report.collapse },
      );
    }
    emit({ type: "eval", epoch: pos.epoch, ...report });
    return report;
  };

  const checkpoint = async () => {
    const name = pos.batch === 0 ? String(pos.epoch) : `${pos.epoch}.${pos.batch}`;
    const dir = saveCheckpoint(run.checkpointsDir, name, await modelArrays(model, optimizer), {
      epoch: pos.epoch,
      step: pos.step,
      savedAt: new Date().toISOString(),
      loss: lastLoss,
      knn: knnAt?.step === pos.step ? knnAt.knn : undefined,
      backend: choice.backend,
      seed: config.seed,
      wallSeconds: wall(),
    });
    pruneCheckpoints(run.checkpointsDir, config.checkpoint.keep);
    summary = { ...summary, epochsDone: pos.epoch, steps: pos.step, finalLoss: lastLoss, wallSeconds: wall() };
    run.writeSummary(summary);
    run.event("checkpoint", `checkpoint ${name} saved`, { epoch: pos.epoch, step: pos.step, dir });
    emit({ type: "checkpoint", epoch: pos.epoch, dir });
  };

  const finish = (status: "finished" | "stopped"): RunSummary => {
    summary = { ...summary, status, pid: undefined, endedAt: new Date().toISOString(), epochsDone: pos.epoch, steps: pos.step, finalLoss: lastLoss, wallSeconds: wall() };
    run.writeSummary(summary);
    return summary;
  };

  try {
    if (pos.step === 0) {
      await evaluate(config.eval.protocols);
      await checkpoint(); // epoch 0: a resume point and the random-init baseline
    }
    let stepTime = 0;
    while (pos.epoch < config.train.epochs) {
      const order = Rng.derive(config.seed, "shuffle", pos.epoch).permutation(train.count);
      for (; pos.batch < stepsPerEpoch; ) {
        const started = Date.now();
        const indices = order.subarray(pos.batch * batchSize, (pos.batch + 1) * batchSize);
        const lr = learningRate(pos.step, schedule);
        const progress = { step: pos.step, totalSteps, epoch: pos.epoch, stepsPerEpoch };
        const loss = trainStep(model, optimizer, train, indices, progress, lr, config, { fixed, regionMap: regionMaps?.regionMap });
        lastLoss = (await loss.data())[0]!;
        loss.dispose();
        if (!Number.isFinite(lastLoss)) {
          const good = listCheckpoints(run.checkpointsDir).pop();
          const message = `loss became ${lastLoss} at epoch ${pos.epoch + 1}, step ${pos.step + 1}: training stopped; the last good checkpoint is ${good ? good.dir : "none"} (lower train.lr, or resume from it with --resume)`;
          run.event("diverged", message, { loss: String(lastLoss), step: pos.step + 1, checkpoint: good?.dir });
          throw new Error(message);
        }
        pos = { ...pos, batch: pos.batch + 1, step: pos.step + 1 };
        const seconds = (Date.now() - started) / 1000;
        stepTime = stepTime === 0 ? seconds : 0.9 * stepTime + 0.1 * seconds;
        const imagesPerSec = batchSize / seconds;
        if (pos.step % config.train.logEvery === 0 || pos.batch === stepsPerEpoch) {
          const saliency = regionMaps?.counts();
          record({ kind: "train", step: pos.step, epoch: pos.epoch + pos.batch / stepsPerEpoch, loss: lastLoss, lr, imagesPerSec, time: wall(), ...(saliency && { saliency }) });
        }
        emit({
          type: "progress",
          epoch: pos.epoch + 1,
          step: pos.step,
          totalSteps,
          loss: lastLoss,
          lr,
          imagesPerSec,
          etaSeconds: stepTime * (totalSteps - pos.step),
        });
        // Let pending IPC messages and signals (a stop request) in: the step itself never yields to the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        if (opts.shouldStop?.() && pos.step < totalSteps) {
          if (pos.batch === stepsPerEpoch) pos = { ...pos, epoch: pos.epoch + 1, batch: 0 };
          await checkpoint();
          run.event("stopped", `stopped at epoch ${pos.epoch}, step ${pos.step}; resume with --resume ${run.dir}`);
          return finish("stopped");
        }
      }
      pos = { ...pos, epoch: pos.epoch + 1, batch: 0 };
      const last = pos.epoch === config.train.epochs;
      if (last) summary.finalEval = await evaluate(config.eval.final);
      else if (pos.epoch % config.eval.every === 0) await evaluate(config.eval.protocols);
      if (last || pos.epoch % config.checkpoint.every === 0) await checkpoint();
    }
    const done = finish("finished");
    run.event(
      "finished",
      `finished ${pos.epoch} epochs in ${done.wallSeconds.toFixed(0)} s` +
        (done.knnFinal !== undefined ? `: kNN ${((done.knnInitial ?? NaN) * 100).toFixed(2)}% at init → ${(done.knnFinal * 100).toFixed(2)}%` : ""),
    );
    return done;
  } catch (error) {
    const message = explainBackendError(error, choice.backend);
    summary = { ...summary, status: "failed", pid: undefined, endedAt: new Date().toISOString(), error: message, wallSeconds: wall() };
    try {
      run.writeSummary(summary);
      run.event("failed", message);
    } catch {
      // The disk may be what failed; the error still reaches the caller.
    }
    throw Object.assign(new Error(message), { runDir: run.dir });
  } finally {
    disposeModel(model);
    optimizer.dispose();
    regionMaps?.close();
  }
}
