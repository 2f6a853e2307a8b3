/**
 * The Saliency Explorer's logic without its IPC: one request → one reply,
 * never a throw. Explore runs SaliencyCut on one image and returns its six
 * pictures as PNGs with the stage timings; listImages, stats and build work
 * on the experiment file as saved (what training and the CLI read).
 */
import * as path from "node:path";
import { encodePng } from "../core/augment/png";
import { ConfigError, loadExperiment, type LoadedExperiment } from "../core/config/load";
import { SALIENCY_MAPS, SALIENCY_OUTPUTS, type SaliencyParams } from "../core/config/saliencySchema";
import type { Experiment } from "../core/config/schema";
import type { ImageDataset } from "../core/data/dataset";
import { decodeImage, listImageFolder } from "../core/data/imageFolder";
import { loadDataset } from "../core/data/load";
import { buildCache, type ImageFailure } from "../core/saliency/cache/build";
import { datasetImage, toRgb } from "../core/saliency/cache/datasetImage";
import { experimentCache, loadCacheImages } from "../core/saliency/cache/experimentCache";
import { cacheStats } from "../core/saliency/cache/stats";
import { decodeImageFile } from "../core/saliency/decodeImageFile";
import { histogramContrast } from "../core/saliency/histogramContrast";
import { rgbToLab } from "../core/saliency/labImage";
import { loadOpenCV } from "../core/saliency/opencv";
import { quantize } from "../core/saliency/quantize";
import { paintRegions, randomPalette } from "../core/saliency/recolor";
import { regionContrast } from "../core/saliency/regionContrast";
import { SALIENCY_VERSION, minRegionSize, saliencyCutWith } from "../core/saliency/saliencyCut";
import { segmentGraph } from "../core/saliency/segmentGraph";
import type { RgbImage } from "../core/saliency/types";
import {
  TRIMAP_COLOURS,
  type BuildProgressInfo,
  type BuildRequest,
  type ExperimentIssue,
  type ExplorerWorkerToHost,
  type ExploreRequest,
  type ExploreResult,
  type ImageFailureInfo,
  type ImageListRequest,
  type ImageSource,
  type StatsRequest,
} from "../protocol/saliencyExplorer";

/** Failures listed by name in stats and build summaries. */
export const LIST_AT_MOST = 10;

type Reply = ExplorerWorkerToHost;

/** What is wrong with settings that came over IPC, if anything (the schema's bounds). */
export function paramsProblem(p: unknown): string | undefined {
  if (!p || typeof p !== "object") return "settings missing";
  const { map, threshold, iterations, scale, output } = p as Partial<Record<keyof SaliencyParams, unknown>>;
  if (!(SALIENCY_MAPS as readonly unknown[]).includes(map)) return `map must be one of ${SALIENCY_MAPS.join(", ")}`;
  if (!(SALIENCY_OUTPUTS as readonly unknown[]).includes(output)) return `output must be one of ${SALIENCY_OUTPUTS.join(", ")}`;
  if (!Number.isInteger(threshold) || (threshold as number) < 1 || (threshold as number) > 254) return `threshold must be a whole number in 1..254, not ${String(threshold)}`;
  if (!Number.isInteger(iterations) || (iterations as number) < 1 || (iterations as number) > 10) return `iterations must be a whole number in 1..10, not ${String(iterations)}`;
  if (typeof scale !== "number" || !(scale > 0 && scale <= 1)) return `scale must be in (0, 1], not ${String(scale)}`;
  return undefined;
}

export function experimentIssues(e: ConfigError): ExperimentIssue[] {
  return e.issues.map((i) => ({ file: e.file, line: i.line, field: i.field, message: i.message }));
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const gray = (map: Float32Array) => Uint8Array.from(map, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));

export function trimapPixels(trimap: Uint8Array): Uint8Array {
  const out = new Uint8Array(trimap.length * 3);
  for (let p = 0; p < trimap.length; p++) out.set(TRIMAP_COLOURS[trimap[p]!] ?? [255, 0, 255], 3 * p);
  return out;
}

const failureInfo = (f: ImageFailure): ImageFailureInfo => (f.file === undefined ? { index: f.index, reason: f.reason } : { index: f.index, file: f.file, reason: f.reason });

/** A training split as the explorer reads it: an image folder is listed (files decode on demand), other formats load whole. */
type DatasetSource =
  | { kind: "folder"; files: string[]; classes?: string[]; size: number; channels: 1 | 3 }
  | { kind: "loaded"; data: ImageDataset };

function datasetKey(config: Experiment, experimentDir: string): string {
  return JSON.stringify([path.resolve(experimentDir), config.dataset, config.imageSize, config.limit?.train ?? null]);
}

export class SaliencyExplorerService {
  /** Whole datasets (embedded, IDX, CIFAR-10) by what loading them depends on: they do not change on disk while one explores. */
  private readonly loaded = new Map<string, Promise<ImageDataset>>();

  private async source(experiment: LoadedExperiment): Promise<DatasetSource> {
    const { config } = experiment;
    const dir = path.dirname(experiment.file);
    const d = config.dataset;
    if (d.format === "folder") {
      // Listed every time: files come and go while someone looks at them.
      const root = path.resolve(dir, d.train);
      const listing = await listImageFolder(root);
      const order = listing.order.slice(0, config.limit?.train ?? Infinity);
      if (order.length === 0) throw new Error(`${root}: no .png/.jpg/.jpeg files found`);
      const classes = listing.classNames ? order.map((c) => c.cls ?? "") : undefined;
      return { kind: "folder", files: order.map((c) => c.file), classes, size: config.imageSize, channels: d.channels ?? 3 };
    }
    const key = datasetKey(config, dir);
    let data = this.loaded.get(key);
    if (!data) {
      data = loadDataset(config, dir).then((l) => l.train);
      this.loaded.set(key, data);
      data.catch(() => this.loaded.delete(key));
    }
    return { kind: "loaded", data: await data };
  }

  private async image(source: ImageSource): Promise<{ image: RgbImage; label: string }> {
    if (source.kind === "file") {
      if (typeof source.file !== "string" || !path.isAbsolute(source.file)) throw new Error(`not an absolute file path: ${String(source.file)}`);
      return { image: await decodeImageFile(source.file), label: path.basename(source.file) };
    }
    const experiment = loadExperiment(source.experimentFile);
    const src = await this.source(experiment);
    const count = src.kind === "folder" ? src.files.length : src.data.count;
    if (!Number.isInteger(source.index) || source.index < 0 || source.index >= count) {
      throw new Error(`training image #${source.index} does not exist: the dataset has ${count} (0..${count - 1})`);
    }
    if (src.kind === "folder") {
      const file = src.files[source.index]!;
      let pixels: Uint8Array;
      try {
        pixels = await decodeImage(file, src.size, src.channels);
      } catch (e) {
        throw new Error(`${file}: cannot decode the image (${message(e)})`);
      }
      return { image: toRgb({ width: src.size, height: src.size, channels: src.channels, pixels }), label: `${path.basename(file)} as training sees it (${src.size}×${src.size})` };
    }
    const { data } = src;
    const cls = data.labels && data.classNames ? data.classNames[data.labels[source.index]!] : undefined;
    return { image: toRgb(datasetImage(data, source.index)), label: `training image #${source.index}${cls === undefined ? "" : ` (${cls})`}` };
  }

  async explore(request: ExploreRequest): Promise<Reply> {
    const id = typeof request?.id === "number" ? request.id : -1;
    const started = performance.now();
    try {
      if (!request.source || (request.source.kind !== "file" && request.source.kind !== "dataset")) return { type: "failed", id, error: "no image chosen" };
      const problem = paramsProblem(request.params);
      if (problem) return { type: "failed", id, error: `SaliencyCut settings: ${problem}` };
      const params: SaliencyParams = { ...request.params };
      const { image, label } = await this.image(request.source);
      const decodeMs = performance.now() - started;
      const { cv } = await loadOpenCV();
      const r = saliencyCutWith(cv, image, params);
      const { width, height } = image;

      // The picture of the map the setting does not use, at the image's size.
      const displayOnly: ("hc" | "rc")[] = [];
      let q: ReturnType<typeof quantize> | undefined;
      let hc = r.hc;
      let rc = r.rc;
      if (!hc) {
        q ??= quantize(image);
        hc = histogramContrast(image, q);
        displayOnly.push("hc");
      }
      if (!rc) {
        q ??= quantize(image);
        rc = regionContrast(segmentGraph(rgbToLab(image), { minSize: minRegionSize(width, height) }), q);
        displayOnly.push("rc");
      }
      const png = async (pixels: Uint8Array, channels: 1 | 3) => (await encodePng({ width, height, channels, pixels })).toString("base64");
      const palette = randomPalette(r.regionCount + 1, 3, Number.isInteger(request.paletteSeed) ? request.paletteSeed : 0);
      const [original, hcPng, rcPng, trimap, mask, regions] = await Promise.all([
        png(image.data, 3),
        png(gray(hc), 1),
        png(gray(rc), 1),
        png(trimapPixels(r.trimap), 3),
        png(Uint8Array.from(r.mask, (v) => (v ? 255 : 0)), 1),
        png(paintRegions(r.regions, palette, 3), 3),
      ]);
      const result: ExploreResult = {
        id,
        label,
        width,
        height,
        images: { original, hc: hcPng, rc: rcPng, trimap, mask, regions },
        displayOnly,
        timings: r.timings.map((t) => ({ stage: t.stage, ms: Math.round(t.ms * 10) / 10 })),
        decodeMs: Math.round(decodeMs * 10) / 10,
        totalMs: Math.round(performance.now() - started),
        rounds: r.rounds,
        regionCount: r.regionCount,
        grabCutFellBack: r.grabCutFellBack,
        maskPixels: r.mask.reduce((a, b) => a + (b ? 1 : 0), 0),
        params,
      };
      return { type: "explored", result };
    } catch (e) {
      if (e instanceof ConfigError) return { type: "invalid", id, issues: experimentIssues(e) };
      return { type: "failed", id, error: message(e) };
    }
  }

  async listImages(request: ImageListRequest): Promise<Reply> {
    const id = typeof request?.id === "number" ? request.id : -1;
    try {
      const experiment = loadExperiment(request.experimentFile);
      const src = await this.source(experiment);
      const format = experiment.config.dataset.format;
      if (src.kind === "folder") {
        return { type: "images", list: { id, experimentFile: experiment.file, format, count: src.files.length, files: src.files, classes: src.classes, width: src.size, height: src.size } };
      }
      const { data } = src;
      const classes = data.labels && data.classNames ? Array.from(data.labels, (l) => data.classNames![l] ?? String(l)) : undefined;
      return { type: "images", list: { id, experimentFile: experiment.file, format, count: data.count, classes, width: data.width, height: data.height } };
    } catch (e) {
      if (e instanceof ConfigError) return { type: "invalid", id, issues: experimentIssues(e) };
      return { type: "failed", id, error: message(e) };
    }
  }

  async stats(request: StatsRequest): Promise<Reply> {
    const id = typeof request?.id === "number" ? request.id : -1;
    try {
      const experiment = loadExperiment(request.experimentFile);
      const cache = experimentCache(experiment);
      const { dataset, files } = await loadCacheImages(experiment);
      const s = cacheStats(cache.dir, cache.params, { dataset, files });
      const images = s.images!;
      return {
        type: "stats",
        stats: {
          id,
          experimentFile: experiment.file,
          dir: cache.dir,
          params: cache.params,
          version: SALIENCY_VERSION,
          entries: s.entries,
          current: s.current,
          staleVersion: s.staleVersion,
          staleParams: s.staleParams,
          unreadable: s.unreadable.length,
          diskBytes: s.diskBytes,
          images: images.total,
          cached: images.cached,
          missing: images.missing,
          failedCount: images.failed.length,
          failed: images.failed.slice(0, LIST_AT_MOST).map(failureInfo),
          repairs: s.repairs,
        },
      };
    } catch (e) {
      if (e instanceof ConfigError) return { type: "invalid", id, issues: experimentIssues(e) };
      return { type: "failed", id, error: message(e) };
    }
  }

  /**
   * Builds the experiment's cache (see buildCache): progress as it goes, a
   * summary at the end. Aborting `signal` stops it; what is finished stays
   * cached and the next build resumes.
   */
  async build(request: BuildRequest, onProgress: (p: BuildProgressInfo) => void, signal: AbortSignal): Promise<Reply> {
    const id = typeof request?.id === "number" ? request.id : -1;
    const started = performance.now();
    try {
      const experiment = loadExperiment(request.experimentFile);
      const cache = experimentCache(experiment);
      const { dataset, files } = await loadCacheImages(experiment, {
        onProgress: (split, done, total) => {
          if (split === "train") onProgress({ phase: "decoding", done, total, cachedBefore: 0, failed: 0, imagesPerSecond: 0, etaSeconds: null });
        },
      });
      if (signal.aborted) {
        const seconds = (performance.now() - started) / 1000;
        return { type: "built", id, summary: { total: dataset.count, cachedBefore: 0, computed: 0, failedCount: 0, failed: [], repaired: 0, cancelled: true, seconds, imagesPerSecond: 0 } };
      }
      const workers = request.workers !== undefined && Number.isInteger(request.workers) && request.workers > 0 ? request.workers : undefined;
      const summary = await buildCache({
        dir: cache.dir,
        params: cache.params,
        dataset,
        files,
        workers,
        signal,
        onProgress: (p) =>
          onProgress({
            phase: "computing",
            done: p.done,
            total: p.total,
            cachedBefore: p.cachedBefore,
            failed: p.failed,
            imagesPerSecond: p.imagesPerSecond,
            etaSeconds: Number.isFinite(p.etaSeconds) ? p.etaSeconds : null,
          }),
      });
      return {
        type: "built",
        id,
        summary: {
          total: summary.total,
          cachedBefore: summary.cachedBefore,
          computed: summary.computed,
          failedCount: summary.failed.length,
          failed: summary.failed.slice(0, LIST_AT_MOST).map(failureInfo),
          repaired: summary.repaired,
          cancelled: summary.cancelled,
          seconds: summary.seconds,
          imagesPerSecond: summary.imagesPerSecond,
        },
      };
    } catch (e) {
      if (e instanceof ConfigError) return { type: "invalid", id, issues: experimentIssues(e) };
      return { type: "failed", id, error: message(e) };
    }
  }
}
