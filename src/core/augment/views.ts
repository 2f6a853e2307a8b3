/** The views an experiment's policy makes of each image: the preset or explicit views, defaults filled in. */
import { fillDefaults } from "../config/defaults";
import { ViewSchema, type AugmentConfig, type OpSpec, type ViewSpec } from "../config/augmentSchema";
import type { Experiment, Method } from "../config/schema";
import { METHOD_PRESETS, PRESETS } from "./presets";

/** The view kinds of a policy: `views` when given, else the preset, else the method's own policy. */
export function policyViews(augment: AugmentConfig, method: Method): ViewSpec[] {
  const input = augment.views ?? PRESETS[augment.preset ?? METHOD_PRESETS[method]];
  return input.map((v) => fillDefaults(ViewSchema, structuredClone(v)) as ViewSpec);
}

/** One view of every image: view kinds expanded by their count. */
export interface ViewInstance {
  /** Position among all views of an image; seeds the view's random stream. */
  index: number;
  /** "view 1", "global 2", ... */
  label: string;
  /** Output side in pixels. */
  size: number;
  ops: OpSpec[];
}

/** A view's side: its size, or its relative size of imageSize, or imageSize. */
export function viewSize(view: ViewSpec, imageSize: number): number {
  return view.size ?? (view.relativeSize !== undefined ? Math.max(4, Math.round(view.relativeSize * imageSize)) : imageSize);
}

export function viewInstances(config: Pick<Experiment, "augment" | "imageSize" | "method">): ViewInstance[] {
  const out: ViewInstance[] = [];
  for (const kind of policyViews(config.augment, config.method)) {
    for (let k = 0; k < kind.count; k++) {
      out.push({
        index: out.length,
        label: kind.count > 1 ? `${kind.name} ${k + 1}` : kind.name,
        size: viewSize(kind, config.imageSize),
        ops: kind.ops,
      });
    }
  }
  return out;
}
