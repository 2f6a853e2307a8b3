/**
 * One preview request → one reply, never a throw: the preview worker's logic
 * without its IPC. Keeps the decoded training images between requests
 * (PreviewData) and the active backend.
 */
import * as path from "node:path";
import { selectBackend, type ConcreteBackend } from "../core/backend/select";
import type { BackendName } from "../core/config/schema";
import { renderPreview } from "../core/augment/preview";
import { PreviewData } from "../core/augment/previewData";
import { withPreviewRegionMaps } from "../core/saliency/regionMaps";
import { encodePng } from "../core/augment/png";
import type { PreviewRequest, PreviewResult, PreviewWorkerToHost } from "../protocol/augmentPreview";
import { epochProblem, requestProblem, resolvePreviewConfig } from "./previewRequest";

export class PreviewService {
  private readonly data = new PreviewData();

  /**
   * @param backend the backend selected at start.
   * @param forced a backend named on the worker's command line: it wins over the config's.
   */
  constructor(
    private backend: ConcreteBackend,
    private readonly forced?: BackendName,
  ) {}

  get activeBackend(): ConcreteBackend {
    return this.backend;
  }

  private async switchTo(wanted: ConcreteBackend): Promise<void> {
    try {
      this.backend = (await selectBackend(wanted)).backend;
    } catch (error) {
      await selectBackend(this.backend); // a failed switch may leave tfjs without a backend: back to the working one
      throw error;
    }
  }

  async handle(request: PreviewRequest): Promise<PreviewWorkerToHost> {
    // The request comes over IPC: even its shape is unchecked until here.
    const id = typeof request?.id === "number" ? request.id : -1;
    const started = performance.now();
    try {
      const problem = requestProblem(request);
      if (problem) return { type: "failed", id, error: problem };
      const resolved = resolvePreviewConfig(request);
      if ("issues" in resolved) return { type: "invalid", id, issues: resolved.issues };
      const config = resolved.config;
      const epochIssue = epochProblem(request, config);
      if (epochIssue) return { type: "failed", id, error: epochIssue };

      // As the trainer chooses: a concrete backend in the config is used (or fails), "auto" keeps the one chosen at start.
      const wanted = this.forced ?? config.backend;
      if (wanted !== "auto" && wanted !== this.backend) await this.switchTo(wanted);

      const { data, indices } = await this.data.pick(config, path.dirname(request.experimentFile), request.seed, request.count);
      const policy = request.views ? { ...config, augment: { views: request.views } } : config;
      const pixels = await withPreviewRegionMaps(policy, request.experimentFile, data, indices, (regionMap) =>
        renderPreview(data, config, { seed: request.seed, count: request.count, epoch: request.epoch, views: request.views, regionMap }),
      );
      const images = await Promise.all(
        pixels.images.map(async (img) => ({
          index: img.index,
          original: (await encodePng(img.original)).toString("base64"),
          views: await Promise.all(img.views.map(async (v) => ({ label: v.label, png: (await encodePng(v.tile)).toString("base64"), trace: v.trace }))),
        })),
      );
      const result: PreviewResult = { id, images, views: pixels.views, backend: this.backend, milliseconds: Math.round(performance.now() - started) };
      return { type: "rendered", result };
    } catch (error) {
      return { type: "failed", id, error: error instanceof Error ? error.message : String(error) };
    }
  }
}
