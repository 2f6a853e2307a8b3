/**
 * The Saliency Explorer's decisions and wording that need no `vscode`: which
 * experiment an image file belongs to, what the worker is asked to run, and
 * the texts of the build notification. Tested in plain Node.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseExperiment } from "../../core/config/load";
import type { BuildProgressInfo, BuildSummaryInfo, ExperimentIssue, ImageSource, PanelImages, Selection } from "../../protocol/saliencyExplorer";
import { formatDuration, formatRate } from "../format";

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

export function isImageFile(file: string | undefined): file is string {
  return !!file && IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

function within(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return !!rel && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/**
 * The experiment whose image-folder dataset holds `image` (its training
 * folder), among `experimentFiles`; the nearest folder wins, then the name.
 * Files that do not parse are passed over.
 */
export function experimentForImage(image: string, experimentFiles: readonly string[], read: (file: string) => string = (f) => fs.readFileSync(f, "utf8")): string | undefined {
  const found: { file: string; depth: number }[] = [];
  for (const file of experimentFiles) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue;
    }
    const { config } = parseExperiment(text, file, { checkPaths: false });
    if (config?.dataset.format !== "folder") continue;
    const root = path.resolve(path.dirname(file), config.dataset.train);
    if (within(path.resolve(image), root)) found.push({ file, depth: path.relative(root, image).split(path.sep).length });
  }
  found.sort((a, b) => a.depth - b.depth || a.file.localeCompare(b.file));
  return found[0]?.file;
}

/** Where the selection is in the experiment's image list: -1 when it is a file outside the dataset (or nothing is listed). */
export function selectionIndex(selection: Selection | undefined, images: PanelImages | undefined): number {
  if (!selection) return -1;
  if (selection.kind === "index") return images && selection.index < images.count ? selection.index : -1;
  return images?.files?.indexOf(selection.file) ?? -1;
}

/**
 * What the worker runs for a selection: the file itself at its own size, or,
 * `training` on, the training image as the loader decodes it (image folders:
 * at imageSize; the pixels the cache keys). Index datasets have only the latter.
 */
export function imageSource(selection: Selection | undefined, training: boolean, experimentFile: string | undefined, images: PanelImages | undefined): ImageSource | undefined {
  if (!selection) return undefined;
  if (selection.kind === "index") return experimentFile ? { kind: "dataset", experimentFile, index: selection.index } : undefined;
  const index = selectionIndex(selection, images);
  if (training && experimentFile && index >= 0) return { kind: "dataset", experimentFile, index };
  return { kind: "file", file: selection.file };
}

/** "path/to/file.ssl.json:12: field "saliency.threshold": must be ≤ 254" — as the CLI names a config problem. */
export function issueText(i: ExperimentIssue): string {
  return `${i.file}:${i.line}: ${i.field ? `field "${i.field}": ` : ""}${i.message}`;
}

/** The notification's line while a build runs. */
export function buildProgressText(p: BuildProgressInfo): string {
  if (p.phase === "decoding") return `decoding images ${p.done}/${p.total}`;
  const parts = [`${p.done}/${p.total} images`];
  if (p.cachedBefore) parts.push(`${p.cachedBefore} cached before`);
  if (p.failed) parts.push(`${p.failed} failed`);
  if (p.done > p.cachedBefore) parts.push(formatRate(p.imagesPerSecond));
  if (p.etaSeconds !== null && p.done < p.total) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join(" · ");
}

/** Percent done, 0..100 (decoding counts as the first 10%). */
export function buildPercent(p: BuildProgressInfo): number {
  const f = p.total > 0 ? p.done / p.total : 1;
  return Math.max(0, Math.min(100, p.phase === "decoding" ? f * 10 : 10 + f * 90));
}

/** The message when a build ends (the experiment's name first). */
export function buildResultText(name: string, s: BuildSummaryInfo): string {
  const secs = `${s.seconds.toFixed(1)} s`;
  if (s.cancelled) {
    const cached = s.cachedBefore + s.computed;
    return `SSL: SaliencyCut cache of ${name}: cancelled after ${secs}; ${cached} of ${s.total} images cached. Build again to resume.`;
  }
  const failed = s.failedCount ? `, ${s.failedCount} failed` : "";
  return `SSL: SaliencyCut cache of ${name}: ${s.computed} computed, ${s.cachedBefore} already cached${failed} of ${s.total} images in ${secs}.`;
}

/** A config error's problems in the protocol's terms (file, line, field). */
export function issuesOf(e: { file: string; issues: { line: number; field: string; message: string }[] }): ExperimentIssue[] {
  return e.issues.map((i) => ({ file: e.file, line: i.line, field: i.field, message: i.message }));
}
