/** Rules of the policy language the schema cannot express, each naming the field it is about. */
import type { Experiment } from "../config/schema";
import { policyViews, viewInstances } from "./views";

export interface PolicyIssue {
  path: (string | number)[];
  message: string;
}

/** Fields of ops that are [min, max] ranges. */
const RANGE_FIELDS = ["scale", "ratio", "degrees", "shear", "fraction", "factor", "sigma", "threshold", "bits", "size"];

/** Views each method consumes: two views of each image, or multi-crop (2 global views first, then any local ones). */
const METHOD_VIEWS: Record<Experiment["method"], { min: number; max: number }> = {
  simclr: { min: 2, max: 2 },
  moco: { min: 2, max: 2 },
  byol: { min: 2, max: 2 },
  simsiam: { min: 2, max: 2 },
  barlowtwins: { min: 2, max: 2 },
  vicreg: { min: 2, max: 2 },
  swav: { min: 2, max: Infinity },
  dino: { min: 2, max: Infinity },
  mae: { min: 1, max: 1 },
  rotnet: { min: 1, max: 1 },
  jigsaw: { min: 1, max: 1 },
  colorization: { min: 1, max: 1 },
};

export function policyIssues(config: Experiment): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const explicit = config.augment.views !== undefined;
  // A preset's problems belong to the preset field; explicit views' to the op.
  const at = (...rest: (string | number)[]) => (explicit ? ["augment", "views", ...rest] : ["augment", "preset"]);
  const views = policyViews(config.augment, config.method);
  views.forEach((view, v) => {
    const cropAt = view.ops.findIndex((s) => s.op === "randomResizedCrop");
    view.ops.forEach((spec, i) => {
      const here = at(v, "ops", i);
      if (spec.op === "randomResizedCrop" && i !== cropAt) {
        issues.push({ path: here, message: "a view can have only one randomResizedCrop" });
      }
      if (spec.op !== "saliencyCut" && spec.op !== "randomResizedCrop" && cropAt > i) {
        issues.push({ path: here, message: "randomResizedCrop must come first (only saliencyCut may come before it): ops after it work at the view size" });
      }
      if (spec.op === "saliencyCut" && cropAt >= 0 && i > cropAt) {
        issues.push({ path: here, message: "saliencyCut replaces the whole source image: put it before randomResizedCrop" });
      }
      if (spec.op === "normalize") {
        if (i !== view.ops.length - 1) issues.push({ path: here, message: "normalize must be the last op" });
        if (spec.mean.length !== spec.std.length && spec.mean.length !== 1 && spec.std.length !== 1) {
          issues.push({ path: here, message: "mean and std need the same number of values (or one value for all channels)" });
        }
      }
      if (spec.op === "gaussianBlur" && spec.kernelSize !== undefined && spec.kernelSize % 2 === 0) {
        issues.push({ path: at(v, "ops", i, "kernelSize"), message: "must be odd" });
      }
      for (const field of RANGE_FIELDS) {
        const r = (spec as Record<string, unknown>)[field];
        if (Array.isArray(r) && r.length === 2 && (r[0] as number) > (r[1] as number)) {
          issues.push({ path: at(v, "ops", i, field), message: "the lower bound is above the upper bound" });
        }
      }
    });
  });
  views.forEach((view, v) => {
    if (view.size !== undefined && view.relativeSize !== undefined) {
      issues.push({ path: at(v, "relativeSize"), message: "give size or relativeSize, not both" });
    }
  });
  const policyAt = explicit ? ["augment", "views"] : ["augment", "preset"];
  const { min, max } = METHOD_VIEWS[config.method];
  const total = views.reduce((n, v) => n + v.count, 0);
  if (total < min || total > max) {
    const wanted = min === max ? `${min}` : `at least ${min}`;
    issues.push({ path: policyAt, message: `${config.method} uses ${wanted} views of each image; this policy makes ${total}` });
  }
  const sizes = viewInstances(config).map((v) => v.size);
  if (max === 2 && new Set(sizes).size > 1) {
    issues.push({ path: policyAt, message: `${config.method} compares two views of one size; these views have sizes ${[...new Set(sizes)].join(", ")}` });
  }
  if (max > 2 && (sizes[0] !== config.imageSize || sizes[1] !== config.imageSize)) {
    issues.push({ path: policyAt, message: `${config.method}: the first two views are the global crops and must have the image size (${config.imageSize})` });
  }
  return issues;
}
