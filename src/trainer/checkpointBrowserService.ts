/**
 * The Checkpoint Browser's heavy work without its IPC: one job → one reply,
 * never a throw. Evaluating, exporting embeddings and finding neighbours
 * need the checkpoint in a model and its run's data; the last checkpoint
 * loaded stays (with its training features once computed), since a person
 * usually runs several actions on one row. A checkpoint saved again (a
 * rewound resume) has a new savedAt and is loaded afresh.
 */
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { encodePng } from "../core/augment/png";
import { selectBackend, type ConcreteBackend } from "../core/backend/select";
import type { BackendName, Experiment } from "../core/config/schema";
import type { ImageDataset, LoadedData } from "../core/data/dataset";
import { loadDataset, takeFirst } from "../core/data/load";
import { extractFeatures } from "../core/eval/features";
import { nearestNeighbours, pickQueries } from "../core/eval/neighbours";
import { runnable, evaluateModel } from "../core/eval/suite";
import { projectorTsv } from "../core/export/embeddingsTsv";
import { writeFolderAtomic } from "../core/export/folder";
import { layersModelFiles } from "../core/export/layersModel";
import { disposeModel, type SslModel } from "../core/models/build";
import { loadCheckpointArrays, readCheckpointMeta } from "../core/run/checkpoint";
import { recordCheckpointEval } from "../core/run/checkpointEval";
import type { CheckpointJob, CheckpointWorkerToHost, GalleryImage, JobResult } from "../protocol/checkpointBrowser";
import { loadCheckpointModel, recordedRunConfig } from "./checkpointModel";

type Progress = (message: string) => void;

interface Loaded {
  checkpoint: string;
  savedAt: string;
  config: Experiment;
  data: LoadedData;
  model: SslModel;
  /** Backbone features of the training split, for neighbours. */
  trainFeatures?: tf.Tensor2D;
}

const PROTOCOL_NAMES: Record<string, string> = { knn: "kNN", linear: "linear probes", layers: "per-stage probes", rotation: "rotation probe", collapse: "collapse indicators" };

const labelOf = (ds: ImageDataset, i: number) => (ds.labels ? (ds.classNames?.[ds.labels[i]!] ?? String(ds.labels[i])) : undefined);

/** The images at `indices` as a dataset of their own (in that order). */
function pickImages(ds: ImageDataset, indices: number[]): ImageDataset {
  const per = ds.height * ds.width * ds.channels;
  const pixels = new Uint8Array(indices.length * per);
  indices.forEach((i, k) => pixels.set(ds.pixels.subarray(i * per, (i + 1) * per), k * per));
  return { ...ds, count: indices.length, pixels, labels: ds.labels && Int32Array.from(indices, (i) => ds.labels![i]!), files: undefined };
}

async function galleryImage(ds: ImageDataset, split: GalleryImage["split"], index: number): Promise<GalleryImage> {
  const per = ds.height * ds.width * ds.channels;
  const png = await encodePng({ width: ds.width, height: ds.height, channels: ds.channels, pixels: ds.pixels.subarray(index * per, (index + 1) * per) });
  const label = labelOf(ds, index);
  return { split, index, png: png.toString("base64"), ...(label === undefined ? {} : { label }) };
}

/** Channels the backbone reads, from its first kernel [k, k, cin, cout]: colorization's reads 1 whatever the data has. */
function backboneChannels(arrays: Map<string, { shape: number[] }>): number {
  const first = arrays.get("backbone.conv1.kernel") ?? arrays.get("backbone.stem.conv.kernel");
  if (!first) throw new Error("the checkpoint has no convolutional backbone");
  return first.shape[2]!;
}

export class CheckpointBrowserService {
  private loaded?: Loaded;

  /**
   * @param backend the backend selected at start.
   * @param forced a backend named on the worker's command line: it wins over the run's.
   */
  constructor(
    private backend: ConcreteBackend,
    private readonly forced?: BackendName,
  ) {}

  get activeBackend(): ConcreteBackend {
    return this.backend;
  }

  async handle(id: number, job: CheckpointJob, progress: Progress): Promise<CheckpointWorkerToHost> {
    const started = performance.now();
    try {
      if (!job || typeof job.checkpoint !== "string" || !path.isAbsolute(job.checkpoint)) return { type: "failed", id, error: "the job names no checkpoint folder (an absolute path)" };
      if (!readCheckpointMeta(job.checkpoint)) return { type: "failed", id, error: `${job.checkpoint} is not a complete checkpoint (no readable meta.json): deleted, or still being written?` };
      const result = await this.run(job, progress);
      return { type: "done", id, result, seconds: (performance.now() - started) / 1000 };
    } catch (error) {
      return { type: "failed", id, error: error instanceof Error ? error.message : String(error) };
    }
  }

  private async run(job: CheckpointJob, progress: Progress): Promise<JobResult> {
    switch (job.kind) {
      case "evaluate":
        return this.evaluate(job, progress);
      case "exportModel": {
        progress("writing the TensorFlow.js model…");
        const arrays = loadCheckpointArrays(job.checkpoint);
        const { modelJson, weights } = layersModelFiles({ config: recordedRunConfig(job.checkpoint), inChannels: backboneChannels(arrays), arrays, source: job.checkpoint });
        const files = writeFolderAtomic(job.outDir, [
          { name: "model.json", data: JSON.stringify(modelJson) },
          { name: modelJson.weightsManifest[0]!.paths[0]!, data: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength) },
        ]);
        return { kind: "exportModel", outDir: job.outDir, files };
      }
      case "exportEmbeddings":
        return this.exportEmbeddings(job, progress);
      case "neighbours":
        return this.neighbours(job, progress);
      default:
        throw new Error(`unknown job ${JSON.stringify((job as { kind?: unknown }).kind)}`);
    }
  }

  private async evaluate(job: Extract<CheckpointJob, { kind: "evaluate" }>, progress: Progress): Promise<JobResult> {
    const { model, data, config } = await this.load(job.checkpoint, progress);
    const { run, skipped } = runnable(job.protocols, data, model);
    if (skipped.length) {
      const why = skipped.map((p) => (p === "collapse" ? `${config.method} has no joint embedding for the collapse indicators` : `${PROTOCOL_NAMES[p] ?? p} need a labelled test split`));
      throw new Error(`cannot evaluate: ${why.join("; ")}`);
    }
    const report = await evaluateModel(model, data, config, run, (p) => progress(`${PROTOCOL_NAMES[p] ?? p}…`));
    recordCheckpointEval(job.checkpoint, report);
    return { kind: "evaluate", report };
  }

  private async exportEmbeddings(job: Extract<CheckpointJob, { kind: "exportEmbeddings" }>, progress: Progress): Promise<JobResult> {
    const { model, data, config } = await this.load(job.checkpoint, progress);
    const split = takeFirst(data.test ?? data.train, Number.isInteger(job.count) && job.count! > 0 ? job.count : undefined);
    progress(`embedding ${split.count} ${data.test ? "test" : "training"} images…`);
    const features = extractFeatures(model.backbone, split, config.imageSize);
    let values: Float32Array;
    try {
      values = (await features.data()) as Float32Array;
    } finally {
      features.dispose();
    }
    const dim = model.backbone.outDim;
    const labels = split.labels ? Array.from({ length: split.count }, (_, i) => labelOf(split, i)!) : [];
    const tsv = projectorTsv(values, split.count, dim, labels);
    const files = writeFolderAtomic(job.outDir, [
      { name: "vectors.tsv", data: tsv.vectors },
      { name: "metadata.tsv", data: tsv.metadata },
    ]);
    return { kind: "exportEmbeddings", outDir: job.outDir, files, rows: split.count, dim };
  }

  private async neighbours(job: Extract<CheckpointJob, { kind: "neighbours" }>, progress: Progress): Promise<JobResult> {
    const loaded = await this.load(job.checkpoint, progress);
    const { model, data, config } = loaded;
    if (!loaded.trainFeatures) {
      progress(`embedding ${data.train.count} training images…`);
      loaded.trainFeatures = extractFeatures(model.backbone, data.train, config.imageSize);
    }
    const querySplit = data.test ?? data.train;
    const splitName = data.test ? "test" : "train";
    const picked = pickQueries(job.queries, querySplit.count, querySplit.labels);
    const queryFeatures = extractFeatures(model.backbone, pickImages(querySplit, picked), config.imageSize);
    let found;
    try {
      found = await nearestNeighbours(loaded.trainFeatures, queryFeatures, job.k);
    } finally {
      queryFeatures.dispose();
    }
    const queries = await Promise.all(
      picked.map(async (index, q) => ({
        query: await galleryImage(querySplit, splitName, index),
        neighbours: await Promise.all(found[q]!.map(async (n) => ({ ...(await galleryImage(data.train, "train", n.index)), similarity: n.similarity }))),
      })),
    );
    return { kind: "neighbours", gallery: { checkpoint: job.checkpoint, queries } };
  }

  /** The checkpoint in a model with its run's data, reusing what the previous job loaded when it is the same. */
  private async load(checkpoint: string, progress: Progress): Promise<Loaded> {
    const savedAt = readCheckpointMeta(checkpoint)!.savedAt;
    if (this.loaded?.checkpoint === checkpoint && this.loaded.savedAt === savedAt) return this.loaded;
    const config = recordedRunConfig(checkpoint);
    const previous = this.loaded;
    this.unload();
    await this.useBackend(this.forced ?? config.backend, progress);
    // Recorded dataset paths are absolute; a run of the same data reuses what is in memory.
    const sameData = previous && JSON.stringify(previous.config.dataset) === JSON.stringify(config.dataset) && JSON.stringify(previous.config.limit) === JSON.stringify(config.limit);
    let data = sameData ? previous.data : undefined;
    if (!data) {
      progress("loading the data…");
      data = await loadDataset(config, path.dirname(checkpoint));
    }
    progress("loading the checkpoint…");
    const model = loadCheckpointModel(checkpoint, config, data.train.channels);
    this.loaded = { checkpoint, savedAt, config, data, model };
    return this.loaded;
  }

  /** As the trainer chooses: a concrete backend in the run's config is used (or fails), "auto" keeps the one chosen at start. */
  private async useBackend(wanted: BackendName, progress: Progress): Promise<void> {
    if (wanted === "auto" || wanted === this.backend) return;
    progress(`switching to the ${wanted} backend…`);
    try {
      this.backend = (await selectBackend(wanted)).backend;
    } catch (error) {
      await selectBackend(this.backend); // a failed switch may leave tfjs without a backend: back to the working one
      throw error;
    }
  }

  private unload(): void {
    if (!this.loaded) return;
    this.loaded.trainFeatures?.dispose();
    disposeModel(this.loaded.model);
    this.loaded = undefined;
  }
}
