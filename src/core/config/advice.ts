/**
 * Advice on an experiment beyond what the schema checks: settings that are
 * valid but known to work badly (SimCLR with a small batch, DINO without
 * multi-crop), values out of the range that makes sense, and things the file
 * names that are not there (dataset paths, the checkpoint, the SaliencyCut
 * cache). Pure functions on the parsed file: the file system is asked through
 * `AdviceEnv`, so the rules are unit-tested without VS Code and the editor
 * only maps each piece of advice to a diagnostic and its fixes to quick fixes.
 */
import { Value } from "@sinclair/typebox/value";
import { PRESETS } from "../augment/presets";
import { policyViews } from "../augment/views";
import { fillDefaults } from "./defaults";
import { fieldSchema, type JsonPath } from "./fieldInfo";
import { DATASET_PATH_FIELDS } from "./fieldKinds";
import { datasetPathFields } from "./load";
import { METHODS } from "./methodSchema";
import { paperValues } from "./paperValues";
import { applyRecipe } from "./recipes";
import { ExperimentSchema, type Experiment } from "./schema";

export type AdviceCode =
  | "small-batch-contrastive"
  | "temperature-range"
  | "no-multi-crop"
  | "dataset-path-missing"
  | "checkpoint-missing"
  | "saliency-cache-missing";

/** A change that resolves the advice: set the value at `path` (a -1 last segment appends to an array), or run a command. */
export type AdviceFix =
  | { title: string; edit: { path: JsonPath; value: unknown } }
  | { title: string; command: "buildSaliencyCache" };

export interface Advice {
  /** The field the advice is about: its value is where the editor underlines. */
  path: JsonPath;
  severity: "error" | "warning" | "info";
  code: AdviceCode;
  message: string;
  fixes: AdviceFix[];
}

export interface SaliencyCacheState {
  /** Entries made with the experiment's SaliencyCut settings. */
  entries: number;
  /** Training images, when they can be counted without decoding them. */
  images?: number;
}

export interface AdviceEnv {
  /** Whether a path relative to the experiment file's folder exists. */
  fileExists(relative: string): boolean;
  /** The cache the config names, read cheaply; undefined when it cannot be told. */
  saliencyCache?(config: Experiment): SaliencyCacheState | undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The file's value as training would see it (recipe applied, defaults filled
 * in) and whether it passes the schema. Rules that need a whole policy only
 * run on a valid config; the others read single values defensively.
 */
export function resolveExperiment(raw: unknown): { config: Json; valid: boolean } {
  if (!isObject(raw)) return { config: {}, valid: false };
  const config = fillDefaults(ExperimentSchema, applyRecipe(raw)) as Json;
  return { config, valid: Value.Check(ExperimentSchema, config) };
}

/** Methods whose negatives are the other images of the batch. MoCo's come from its queue, so a small batch still has many. */
const IN_BATCH_NEGATIVES = ["simclr"] as const;
const MIN_CONTRASTIVE_BATCH = 64;
/** Methods without negatives, which train well with small batches (SimSiam down to 64: Chen & He 2021), offered instead. */
const NO_NEGATIVES_METHODS = ["simsiam", "byol", "barlowtwins"].filter((m) => (METHODS as string[]).includes(m));
const METHOD_TITLES: Record<string, string> = { simsiam: "SimSiam", byol: "BYOL", barlowtwins: "Barlow Twins", swav: "SwAV", dino: "DINO" };

function smallBatch(config: Json): Advice[] {
  const method = config.method;
  const batch = isObject(config.train) ? config.train.batchSize : undefined;
  if (!IN_BATCH_NEGATIVES.includes(method as never) || typeof batch !== "number" || batch >= MIN_CONTRASTIVE_BATCH) return [];
  const others = NO_NEGATIVES_METHODS.map((m) => METHOD_TITLES[m] ?? m);
  return [
    {
      path: ["train", "batchSize"],
      severity: "warning",
      code: "small-batch-contrastive",
      message:
        `${method} with batch size ${batch}: few negatives (each pair is contrasted with ${Math.max(0, 2 * (batch - 1))} other views), ` +
        `and contrastive accuracy falls with smaller batches (Chen et al. 2020). Use at least ${MIN_CONTRASTIVE_BATCH} (train.microBatch keeps memory low), ` +
        `or consider ${others.slice(0, -1).join(", ")} or ${others.at(-1)}, which need no negatives.`,
      fixes: [
        { title: `Set train.batchSize to ${MIN_CONTRASTIVE_BATCH}`, edit: { path: ["train", "batchSize"], value: MIN_CONTRASTIVE_BATCH } },
        ...NO_NEGATIVES_METHODS.map((m) => ({ title: `Switch method to ${m} (${METHOD_TITLES[m]}: no negatives)`, edit: { path: ["method"], value: m } })),
      ],
    },
  ];
}

/** Temperatures of a softmax over similarities: (0, 1] is where the papers' values are. */
const TEMPERATURE_FIELDS: JsonPath[] = [
  ["simclr", "temperature"],
  ["moco", "temperature"],
  ["swav", "temperature"],
  ["dino", "studentTemp"],
  ["dino", "teacherTemp"],
  ["dino", "warmupTeacherTemp"],
  ["eval", "knnTemperature"],
];

function temperatures(raw: Json): Advice[] {
  const out: Advice[] = [];
  for (const path of TEMPERATURE_FIELDS) {
    const section = raw[path[0] as string];
    const value = isObject(section) ? section[path[1] as string] : undefined;
    if (typeof value !== "number" || (value > 0 && value <= 1)) continue;
    const schema = fieldSchema(path, raw);
    // Out of (0, 1] but allowed by the schema (the kNN temperature has no upper bound): a warning, not an error.
    const rejected = schema !== undefined && !Value.Check(schema, value);
    const paper = paperValues(path.join("."), typeof raw.method === "string" ? raw.method : undefined)[0];
    const why = value <= 0 ? "a softmax temperature must be above 0" : "above 1 the softmax flattens, so similar and dissimilar pairs weigh almost alike";
    out.push({
      path,
      severity: rejected ? "error" : "warning",
      code: "temperature-range",
      message: `${path.join(".")} is ${value}, outside (0, 1]: ${why}.${paper ? ` The paper's value: ${paper.value} (${paper.source}${paper.setting ? `, ${paper.setting}` : ""}).` : ""}`,
      fixes: paper ? [{ title: `Set ${path.join(".")} to ${paper.value} (${paper.source})`, edit: { path, value: paper.value } }] : [],
    });
  }
  return out;
}

/** Multi-crop as the papers train it: 2 global crops and 6 local ones (SwAV, Caron et al. 2020; DINO, Caron et al. 2021). */
const MULTI_CROP_METHODS = { swav: "swav", dino: "dino" } as const;

function multiCrop(config: Experiment): Advice[] {
  const method = config.method as keyof typeof MULTI_CROP_METHODS;
  const preset = MULTI_CROP_METHODS[method];
  if (!preset) return [];
  const views = policyViews(config.augment, config.method);
  const total = views.reduce((n, v) => n + v.count, 0);
  if (total > 2) return [];
  const local = PRESETS[preset].find((v) => v.name === "local")!;
  const explicit = config.augment.views !== undefined;
  // The preset's local view as a config writes it; 96/224 rounded so the file reads well.
  const localView = { ...local, relativeSize: Math.round(local.relativeSize! * 1000) / 1000 };
  return [
    {
      path: explicit ? ["augment", "views"] : ["augment", "preset"],
      severity: "warning",
      code: "no-multi-crop",
      message:
        `${method} without multi-crop: this policy makes ${total} views of each image. ${METHOD_TITLES[method]} trains on 2 global crops ` +
        `plus ${local.count} small local crops (${method === "dino" ? "Caron et al. 2021" : "Caron et al. 2020"}), matching each local crop to the global ones.`,
      fixes: explicit
        ? [{ title: `Add ${local.count} local crops (${preset} preset's multi-crop)`, edit: { path: ["augment", "views", -1], value: localView } }]
        : [{ title: `Use the ${preset} preset (2 global + ${local.count} local crops)`, edit: { path: ["augment", "preset"], value: preset } }],
    },
  ];
}

function datasetPaths(config: Json, env: AdviceEnv): Advice[] {
  const dataset = config.dataset;
  if (!isObject(dataset) || typeof dataset.format !== "string" || !DATASET_PATH_FIELDS[dataset.format]) return [];
  const out: Advice[] = [];
  for (const { field, value } of datasetPathFields(config as unknown as Experiment)) {
    if (typeof value !== "string" || env.fileExists(value)) continue;
    const what = DATASET_PATH_FIELDS[dataset.format]![field] === "folder" ? "folder" : "file";
    out.push({
      path: ["dataset", field],
      severity: "error",
      code: "dataset-path-missing",
      message: `dataset.${field}: the ${what} "${value}" does not exist (paths are relative to the experiment file's folder).`,
      fixes: [],
    });
  }
  return out;
}

function checkpointPath(config: Json, env: AdviceEnv): Advice[] {
  const checkpoint = isObject(config.init) ? config.init.checkpoint : undefined;
  if (typeof checkpoint !== "string" || env.fileExists(checkpoint)) return [];
  return [
    {
      path: ["init", "checkpoint"],
      severity: "error",
      code: "checkpoint-missing",
      message: `init.checkpoint: "${checkpoint}" does not exist (relative to the experiment file's folder). Completion in this field lists the workspace's runs and checkpoints.`,
      fixes: [],
    },
  ];
}

function saliencyCache(config: Experiment, env: AdviceEnv): Advice[] {
  const explicit = config.augment.views !== undefined;
  const views = policyViews(config.augment, config.method);
  let at: JsonPath | undefined;
  views.forEach((view, v) =>
    view.ops.forEach((op, i) => {
      if (!at && op.op === "saliencyCut" && op.p > 0) at = explicit ? ["augment", "views", v, "ops", i, "op"] : ["augment", "preset"];
    }),
  );
  if (!at) return [];
  const state = env.saliencyCache?.(config);
  if (!state) return [];
  const complete = state.images !== undefined ? state.entries >= state.images : state.entries > 0;
  if (complete) return [];
  const compute = config.saliency.cache.onMiss === "compute";
  const have =
    state.entries === 0
      ? `the SaliencyCut cache (${config.saliency.cache.dir}) has no results for these settings`
      : `the SaliencyCut cache (${config.saliency.cache.dir}) has results for ${state.entries} of ${state.images} training images`;
  const then = compute
    ? "the rest is computed during training (slow)."
    : 'training stops at the first image without one. Build the cache first, or set saliency.cache.onMiss to "compute".';
  return [
    {
      path: at,
      severity: compute ? "info" : "warning",
      code: "saliency-cache-missing",
      message: `saliencyCut: ${have}; ${then}`,
      fixes: [
        { title: "Build the SaliencyCut cache", command: "buildSaliencyCache" },
        ...(compute ? [] : [{ title: 'Set saliency.cache.onMiss to "compute"', edit: { path: ["saliency", "cache", "onMiss"], value: "compute" } }]),
      ],
    },
  ];
}

/** Every piece of advice for a parsed experiment file (`raw`: its JSON value, comments stripped). */
export function experimentAdvice(raw: unknown, env: AdviceEnv): Advice[] {
  if (!isObject(raw)) return [];
  const { config, valid } = resolveExperiment(raw);
  const out = [...smallBatch(config), ...temperatures(raw), ...datasetPaths(config, env), ...checkpointPath(config, env)];
  if (valid) out.push(...multiCrop(config as unknown as Experiment), ...saliencyCache(config as unknown as Experiment, env));
  return out;
}
