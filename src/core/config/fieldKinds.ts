/**
 * Which string fields of an experiment name something the editor can list:
 * a file or folder (relative to the experiment file's folder), a checkpoint
 * or run folder, an augmentation preset or a recipe. The completion provider
 * asks this to know what to offer at the cursor.
 */
import type { JsonPath } from "./fieldInfo";

export type FieldKind =
  | { kind: "path"; target: "file" | "folder" }
  | { kind: "checkpoint" }
  | { kind: "augmentPreset" }
  | { kind: "recipe" };

/**
 * The dataset fields that are paths, per `format` (load.ts datasetPathFields
 * reads the same fields; a unit test keeps the two in step).
 */
export const DATASET_PATH_FIELDS: Record<string, Record<string, "file" | "folder">> = {
  folder: { train: "folder", test: "folder" },
  idx: { trainImages: "file", trainLabels: "file", testImages: "file", testLabels: "file" },
  cifar10: { dir: "folder" },
};

function datasetFieldTarget(format: unknown, field: string): "file" | "folder" | undefined {
  const known = typeof format === "string" ? DATASET_PATH_FIELDS[format] : undefined;
  if (known) return known[field];
  // No format yet (or a wrong one): a field only one format has is still a path.
  for (const fields of Object.values(DATASET_PATH_FIELDS)) if (fields[field]) return fields[field];
  return undefined;
}

/** What the string at `path` names, given the file's parsed value `raw`; undefined for any other field. */
export function fieldKind(path: JsonPath, raw: unknown): FieldKind | undefined {
  const key = path.join(".");
  if (path.length === 2 && path[0] === "dataset" && typeof path[1] === "string") {
    const dataset = (raw as { dataset?: { format?: unknown } } | undefined)?.dataset;
    const target = datasetFieldTarget(dataset && typeof dataset === "object" ? dataset.format : undefined, path[1]);
    return target ? { kind: "path", target } : undefined;
  }
  switch (key) {
    case "init.checkpoint":
      return { kind: "checkpoint" };
    case "runsDir":
    case "saliency.cache.dir":
      return { kind: "path", target: "folder" };
    case "augment.preset":
      return { kind: "augmentPreset" };
    case "recipe":
      return { kind: "recipe" };
    default:
      return undefined;
  }
}
