/** Rules about the model the schema cannot express, each naming the field it is about. */
import { viewInstances } from "../augment/views";
import type { Experiment } from "./schema";

export interface ModelIssue {
  path: (string | number)[];
  message: string;
}

export function modelIssues(config: Experiment): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const d = config.dataset;
  if (config.method === "colorization" && (d.format === "embedded" || d.format === "idx" || (d.format === "folder" && d.channels === 1))) {
    issues.push({ path: ["method"], message: `colorization predicts colour from lightness: this dataset is grayscale (${d.format === "folder" ? "dataset.channels is 1" : `${d.format} images have one channel`}); use an RGB dataset, or another method` });
  }
  if (config.method === "mae" && config.model.backbone !== "vit") {
    issues.push({ path: ["model", "backbone"], message: "mae needs the vit backbone" });
  }
  if (config.model.backbone === "vit") {
    const v = config.model.vit;
    if (v.dim % 4 !== 0) issues.push({ path: ["model", "vit", "dim"], message: "must be a multiple of 4 (2D sin-cos position embeddings)" });
    if (v.dim % v.heads !== 0) issues.push({ path: ["model", "vit", "heads"], message: `must divide model.vit.dim (${v.dim})` });
    const sizes = [...new Set([config.imageSize, ...viewInstances(config).map((view) => view.size)])];
    const off = sizes.filter((s) => s % v.patchSize !== 0);
    if (off.length) {
      issues.push({
        path: ["model", "vit", "patchSize"],
        message: `must divide the image size and every view's size; ${v.patchSize} does not divide ${off.join(", ")}`,
      });
    }
  }
  if (config.method === "mae") {
    const m = config.mae;
    if (m.decoderWidth % 4 !== 0) issues.push({ path: ["mae", "decoderWidth"], message: "must be a multiple of 4 (2D sin-cos position embeddings)" });
    if (m.decoderWidth % m.decoderHeads !== 0) issues.push({ path: ["mae", "decoderHeads"], message: `must divide mae.decoderWidth (${m.decoderWidth})` });
  }
  return issues;
}
