/**
 * A preview request → the config to render, or the problems that stop it.
 * The config text is checked exactly as `pretrain` checks a file (paths
 * included); a draft `views` from the panel is spliced into the JSON as
 * augment.views and the whole config checked again, so a draft passes the
 * same rules as a saved policy.
 */
import * as path from "node:path";
import { findNodeAtLocation, parse, parseTree, type Node } from "jsonc-parser";
import { parseExperiment, type ConfigIssue } from "../core/config/load";
import type { Experiment } from "../core/config/schema";
import type { PreviewIssue, PreviewRequest } from "../protocol/augmentPreview";

/** Most images one render may show: each costs a decode, a few kernels and a PNG per view. */
export const MAX_PREVIEW_IMAGES = 256;

const isAugment = (field: string) => field === "augment" || field.startsWith("augment.");

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Line of the deepest node along `field` that exists in the user's text: where the draft would be written. */
function lineInText(text: string, root: Node | undefined, field: string): number {
  if (!root) return 1;
  const segments = field ? field.split(".").map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : [];
  for (let n = segments.length; n >= 0; n--) {
    const node = findNodeAtLocation(root, segments.slice(0, n));
    if (node) return lineOf(text, (node.parent?.type === "property" ? node.parent : node).offset);
  }
  return 1;
}

const toPreview = (i: ConfigIssue): PreviewIssue => ({ field: i.field, line: i.line, message: i.message });

/** Request fields the panel sets (not the config): a bad one is the host's bug, reported as `failed`. */
export function requestProblem(r: PreviewRequest): string | undefined {
  if (!path.isAbsolute(r.experimentFile)) return `experimentFile must be an absolute path, not "${r.experimentFile}"`;
  if (!Number.isInteger(r.seed) || r.seed < 0) return `seed must be an integer ≥ 0, not ${r.seed}`;
  if (!Number.isInteger(r.count) || r.count < 1 || r.count > MAX_PREVIEW_IMAGES) return `count must be an integer in 1..${MAX_PREVIEW_IMAGES}, not ${r.count}`;
  if (!Number.isInteger(r.epoch) || r.epoch < 0) return `epoch must be an integer ≥ 0, not ${r.epoch}`;
  return undefined;
}

export function resolvePreviewConfig(r: PreviewRequest): { config: Experiment } | { issues: PreviewIssue[] } {
  const base = parseExperiment(r.configText, r.experimentFile);
  if (r.views === undefined) return base.config ? { config: base.config } : { issues: base.issues.map(toPreview) };
  // The draft replaces the file's policy, so the file's own augment problems do not stop it.
  const others = base.issues.filter((i) => !isAugment(i.field));
  if (others.length) return { issues: others.map(toPreview) };
  const raw = parse(r.configText, [], { allowTrailingComma: true }) as Record<string, unknown>;
  const spliced = JSON.stringify({ ...raw, augment: { views: r.views } }, null, 2);
  const checked = parseExperiment(spliced, r.experimentFile);
  if (checked.config) return { config: checked.config };
  // Lines of the spliced text mean nothing to the user: point into their file instead.
  const root = parseTree(r.configText, [], { allowTrailingComma: true });
  return { issues: checked.issues.map((i) => ({ field: i.field, line: lineInText(r.configText, root, i.field), message: i.message })) };
}

/** The epoch must exist in the config's schedule (RandAugment's ramp runs over it). */
export function epochProblem(r: PreviewRequest, config: Experiment): string | undefined {
  return r.epoch < config.train.epochs ? undefined : `epoch ${r.epoch} is past the last epoch (${config.train.epochs - 1}) of train.epochs = ${config.train.epochs}`;
}
