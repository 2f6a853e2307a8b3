/**
 * Reads an experiment file: JSON with comments → defaults filled in → validated
 * against the schema → dataset paths checked. Every problem is reported with
 * the file, the field path and the line, so the editor and the CLI can point
 * at it; nothing is started from a config that has any problem.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseTree, findNodeAtLocation, printParseErrorCode, type ParseError, type Node } from "jsonc-parser";
import { Value, type ValueError } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { policyIssues } from "../augment/check";
import { modelIssues } from "./modelCheck";
import { discriminatorOf, fillDefaults, variantFor } from "./defaults";
import { applyRecipe } from "./recipes";
import { ExperimentSchema, type Experiment } from "./schema";

export interface ConfigIssue {
  /** Dotted field path ("train.lr"), "" for the whole file. */
  field: string;
  message: string;
  /** 0-based character range in the file text, for diagnostics. */
  offset: number;
  length: number;
  /** 1-based line, for messages. */
  line: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    const first = issues[0]!;
    const where = first.field ? `field "${first.field}": ` : "";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})` : "";
    super(`${file}:${first.line}: ${where}${first.message}${more}`);
    this.name = "ConfigError";
  }
}

export interface LoadedExperiment {
  /** Absolute path of the *.ssl.json file. */
  file: string;
  /** Experiment name (config.name or the file name). */
  name: string;
  /** The config with every default filled in: what the run records as config.json. */
  config: Experiment;
  /** Absolute folder for this experiment's runs: <runsDir>/<name>. */
  runsDir: string;
}

export function experimentNameFromFile(file: string): string {
  return path.basename(file).replace(/\.ssl\.json$/i, "").replace(/\.json$/i, "");
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** The deepest existing node along a path: where a diagnostic for that field belongs. */
function nodeFor(root: Node | undefined, segments: (string | number)[]): Node | undefined {
  if (!root) return undefined;
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segments.slice(0, n));
    if (node) {
      // Point at "key": value, not just the value, when the node is a property value.
      return node.parent?.type === "property" ? node.parent : node;
    }
  }
  return root;
}

function issueAt(text: string, root: Node | undefined, segments: (string | number)[], message: string): ConfigIssue {
  const node = nodeFor(root, segments);
  const offset = node?.offset ?? 0;
  return {
    field: segments.join("."),
    message,
    offset,
    length: node?.length ?? 0,
    line: lineOf(text, offset),
  };
}

function messageFor(e: ValueError, segments: (string | number)[]): string {
  if (e.message.startsWith("Unexpected property")) return `unknown field "${segments[segments.length - 1]}"`;
  if ("const" in e.schema) return `must be ${JSON.stringify(e.schema.const)}`;
  if ("anyOf" in e.schema) {
    const allowed = (e.schema.anyOf as { const?: unknown }[]).map((s) => s.const).filter((c) => c !== undefined);
    if (allowed.length) return `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
  }
  return e.message;
}

/**
 * Schema validation of parsed JSON. A union told apart by a literal field
 * (dataset `format`, augmentation `op`) is checked against the variant the
 * value names, so errors name the real field instead of "expected union".
 */
function schemaIssues(value: unknown, text: string, root: Node | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const add = (segments: (string | number)[], message: string) => {
    const key = segments.join(".");
    if (seen.has(key)) return;
    seen.add(key);
    issues.push(issueAt(text, root, segments, message));
  };
  const check = (schema: TSchema, v: unknown, prefix: (string | number)[]) => {
    const unions: string[] = [];
    for (const e of Value.Errors(schema, v)) {
      if (unions.some((u) => e.path === u || e.path.startsWith(`${u}/`))) continue;
      const segments = [...prefix, ...pointerToPath(e.path)];
      const key = discriminatorOf(e.schema);
      if (!key) {
        add(segments, messageFor(e, segments));
        continue;
      }
      unions.push(e.path);
      const variant = variantFor(e.schema, e.value);
      // A missing union (the dataset) gets its own message below.
      if (e.value === undefined) continue;
      if (variant) check(variant, e.value, segments);
      else {
        const tags = (e.schema.anyOf as TSchema[]).map((s) => JSON.stringify(s.properties[key].const));
        add([...segments, key], `must be one of ${tags.join(", ")}`);
      }
    }
  };
  check(ExperimentSchema, value, []);
  if ((value as { dataset?: unknown }).dataset === undefined) {
    add(["dataset"], 'is required: where the images come from, e.g. {"format": "embedded", "name": "fashion-mnist-5k"}');
  }
  return issues;
}

function semanticIssues(config: Experiment, text: string, root: Node | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { path: segments, message } of policyIssues(config)) issues.push(issueAt(text, root, segments, message));
  for (const { path: segments, message } of modelIssues(config)) issues.push(issueAt(text, root, segments, message));
  if (config.augment.preset !== undefined && config.augment.views !== undefined) {
    issues.push(issueAt(text, root, ["augment", "preset"], "give either a preset or views, not both (views replace the preset)"));
  }
  const d = config.dataset;
  if (d.format === "idx" && (d.testImages === undefined) !== (d.testLabels === undefined)) {
    const [given, missing] = d.testImages === undefined ? ["testLabels", "testImages"] : ["testImages", "testLabels"];
    issues.push(issueAt(text, root, ["dataset", given], `needs dataset.${missing} too: the labelled test split is what kNN evaluation uses`));
  }
  return issues;
}

/** The dataset paths named in a config, with their field, relative to the experiment folder. */
export function datasetPathFields(config: Experiment): { field: string; value: string }[] {
  const d = config.dataset;
  const fields: { field: string; value: string | undefined }[] = [];
  switch (d.format) {
    case "folder":
      fields.push({ field: "train", value: d.train }, { field: "test", value: d.test });
      break;
    case "idx":
      fields.push(
        { field: "trainImages", value: d.trainImages },
        { field: "trainLabels", value: d.trainLabels },
        { field: "testImages", value: d.testImages },
        { field: "testLabels", value: d.testLabels },
      );
      break;
    case "cifar10":
      fields.push({ field: "dir", value: d.dir });
      break;
    case "embedded":
      break;
  }
  return fields.filter((f): f is { field: string; value: string } => f.value !== undefined);
}

function pathIssues(config: Experiment, file: string, text: string, root: Node | undefined): ConfigIssue[] {
  const dir = path.dirname(file);
  const paths = datasetPathFields(config).map((f) => ({ at: ["dataset", f.field], value: f.value }));
  if (config.init) paths.push({ at: ["init", "checkpoint"], value: config.init.checkpoint });
  return paths
    .filter((f) => !fs.existsSync(path.resolve(dir, f.value)))
    .map((f) => issueAt(text, root, f.at, `path does not exist: ${path.resolve(dir, f.value)}`));
}

/**
 * Everything wrong with an experiment file's text, or the resolved config.
 * `checkPaths` is off for editor diagnostics of unsaved text where the caller checks paths itself.
 */
export function parseExperiment(
  text: string,
  file: string,
  options: { checkPaths?: boolean } = {},
): { config?: Experiment; issues: ConfigIssue[] } {
  const parseErrors: ParseError[] = [];
  const root = parseTree(text, parseErrors, { allowTrailingComma: true, disallowComments: false });
  if (parseErrors.length) {
    return {
      issues: parseErrors.map((e) => ({
        field: "",
        message: `invalid JSON: ${printParseErrorCode(e.error)}`,
        offset: e.offset,
        length: e.length,
        line: lineOf(text, e.offset),
      })),
    };
  }
  const raw: unknown = root ? evaluate(root) : undefined;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { issues: [issueAt(text, root, [], "the experiment must be a JSON object")] };
  }
  const withDefaults = fillDefaults(ExperimentSchema, applyRecipe(raw as Record<string, unknown>));
  const issues = schemaIssues(withDefaults, text, root);
  if (issues.length) return { issues };
  const config = withDefaults as Experiment;
  const more = semanticIssues(config, text, root);
  if (options.checkPaths !== false) more.push(...pathIssues(config, file, text, root));
  return more.length ? { issues: more } : { config, issues: [] };
}

function evaluate(node: Node): unknown {
  switch (node.type) {
    case "object": {
      const o: Record<string, unknown> = {};
      for (const p of node.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) o[k.value as string] = evaluate(v);
      }
      return o;
    }
    case "array":
      return (node.children ?? []).map(evaluate);
    default:
      return node.value;
  }
}

/** Load, validate and resolve an experiment file; throws ConfigError naming the file, field and line. */
export function loadExperiment(file: string): LoadedExperiment {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, "utf8");
  } catch (e) {
    throw new ConfigError(abs, [
      { field: "", message: `cannot read the file (${(e as Error).message})`, offset: 0, length: 0, line: 1 },
    ]);
  }
  const { config, issues } = parseExperiment(text, abs);
  if (!config) throw new ConfigError(abs, issues);
  const name = config.name ?? experimentNameFromFile(abs);
  return {
    file: abs,
    name,
    config,
    runsDir: path.join(path.resolve(path.dirname(abs), config.runsDir), name),
  };
}
