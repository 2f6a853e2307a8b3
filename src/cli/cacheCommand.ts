/**
 * `ssl-studio cache build|stats|verify|clear <file.ssl.json>`: the offline
 * SaliencyCut cache of an experiment (src/core/saliency/cache/). Exit codes:
 * 0 done, 1 verify found damaged entries (without --fix), 3 build cancelled.
 */
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { loadExperiment, type LoadedExperiment } from "../core/config/load";
import { SALIENCY_VERSION } from "../core/saliency/saliencyCut";
import { buildCache, type BuildProgress, type ImageFailure } from "../core/saliency/cache/build";
import { clearCache } from "../core/saliency/cache/clear";
import { experimentCache, loadCacheImages, type ExperimentCache } from "../core/saliency/cache/experimentCache";
import { cacheStats } from "../core/saliency/cache/stats";
import { verifyCache } from "../core/saliency/cache/verify";
import { ProgressView, formatDuration, progressBar } from "./progressView";

const SUBCOMMANDS = ["build", "stats", "verify", "clear"] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];
/** Failures and damaged entries listed by name before "and N more". */
const LIST_AT_MOST = 10;

function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function cacheProgressLine(p: BuildProgress): string {
  const frac = p.total > 0 ? p.done / p.total : 1;
  return (
    `${progressBar(frac)} ${p.done}/${p.total} images ` +
    `(${p.cachedBefore} cached before, ${p.failed} failed) ${p.imagesPerSecond.toFixed(1)} img/s ETA ${formatDuration(p.etaSeconds)}`
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function imageName(image: { index: number; file?: string }): string {
  return `image #${image.index}${image.file ? ` (${image.file})` : ""}`;
}

function failureLines(failed: ImageFailure[], more: string): string[] {
  const lines = failed.slice(0, LIST_AT_MOST).map((f) => `failed: ${imageName(f)}: ${f.reason}`);
  if (failed.length > LIST_AT_MOST) lines.push(`… and ${failed.length - LIST_AT_MOST} more ${more}`);
  return lines;
}

function describeSettings(cache: ExperimentCache): string {
  const settings = Object.entries(cache.params).map(([k, v]) => `${k} ${v}`);
  return `${settings.join(", ")} (SaliencyCut v${SALIENCY_VERSION})`;
}

function buildHint(experiment: LoadedExperiment): string {
  return `\`ssl-studio cache build ${path.relative(process.cwd(), experiment.file) || experiment.file}\``;
}

async function build(experiment: LoadedExperiment, cache: ExperimentCache, workers: number): Promise<number> {
  const view = new ProgressView(process.stdout);
  view.line(`cache: ${cache.dir}`);
  view.line(`settings: ${describeSettings(cache)}`);
  const { dataset, files, skipped } = await loadCacheImages(experiment, {
    onProgress: (split, done, total) => {
      if (split === "train") view.progress(`decoding images ${done}/${total}`, done === total);
    },
  });
  view.line(`dataset: ${plural(dataset.count, "training image")}, ${dataset.width}x${dataset.height}x${dataset.channels}${skipped.length ? ` (${skipped.length} unreadable file(s) skipped by the loader)` : ""}`);
  view.line(`workers: ${workers}`);

  const controller = new AbortController();
  let stops = 0;
  const onSignal = () => {
    if (++stops > 1) process.exit(130);
    view.line("cancelling: finished images stay cached (Ctrl+C again to quit at once)");
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const summary = await buildCache({
    dir: cache.dir,
    params: cache.params,
    dataset,
    files,
    workers,
    signal: controller.signal,
    onProgress: (p) => view.progress(cacheProgressLine(p), p.done === p.total),
  }).finally(() => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  });
  for (const r of summary.repairs) view.line(`repaired: ${r}`);
  if (summary.repaired) view.line(`${plural(summary.repaired, "damaged entry", "damaged entries")} computed again`);
  for (const l of failureLines(summary.failed, "(`ssl-studio cache stats` lists them all)")) view.line(l);
  view.line(
    `${summary.cancelled ? "cancelled" : "done"}: ${summary.computed} computed, ${summary.cachedBefore} already cached, ${summary.failed.length} failed of ${summary.total} ` +
      `in ${summary.seconds.toFixed(1)} s (${summary.imagesPerSecond.toFixed(1)} images/s)`,
  );
  if (summary.cancelled) view.line("run the same command again to resume");
  return summary.cancelled ? 3 : 0;
}

async function stats(experiment: LoadedExperiment, cache: ExperimentCache): Promise<number> {
  const { dataset, files } = await loadCacheImages(experiment);
  const s = cacheStats(cache.dir, cache.params, { dataset, files });
  const images = s.images!;
  const lines = [
    `cache: ${cache.dir}`,
    `settings: ${describeSettings(cache)}`,
    `entries: ${s.entries}, ${formatBytes(s.diskBytes)} on disk; ${s.current} current, ${s.staleVersion + s.staleParams} stale ` +
      `(${s.staleVersion} from another SaliencyCut version, ${s.staleParams} with other settings)`,
    `dataset: ${images.total} images, ${images.cached} cached, ${images.missing} missing, ${images.failed.length} of them failed`,
    ...failureLines(images.failed, ""),
    ...s.unreadable.map((u) => `unreadable entry: ${u.file}: ${u.reason}`),
    ...s.repairs.map((r) => `manifest: ${r} (the next build or \`cache verify --fix\` rewrites it)`),
  ];
  if (images.missing > images.failed.length) lines.push(`run ${buildHint(experiment)} to compute the missing images`);
  console.log(lines.join("\n"));
  return 0;
}

function verify(experiment: LoadedExperiment, cache: ExperimentCache, fix: boolean): number {
  const report = verifyCache(cache.dir, { fix });
  const lines = [`cache: ${cache.dir}`, `checked ${plural(report.checked, "entry", "entries")}: ${report.corrupt.length} damaged`];
  for (const c of report.corrupt.slice(0, LIST_AT_MOST)) lines.push(`damaged: ${c.file}${c.image ? ` (${imageName(c.image)})` : ""}: ${c.reason}`);
  if (report.corrupt.length > LIST_AT_MOST) lines.push(`… and ${report.corrupt.length - LIST_AT_MOST} more`);
  for (const r of report.repairs) lines.push(`manifest: ${r}${fix ? " (rewritten)" : ""}`);
  const rerun = buildHint(experiment);
  if (fix && report.removed) lines.push(`removed ${plural(report.removed, "damaged entry", "damaged entries")}; ${rerun} computes them again`);
  else if (report.corrupt.length) lines.push(`run with --fix to remove them (then ${rerun} computes them again)`);
  console.log(lines.join("\n"));
  return report.corrupt.length && !fix ? 1 : 0;
}

function clear(cache: ExperimentCache): number {
  const report = clearCache(cache.dir);
  console.log(`removed ${plural(report.removedEntries, "entry", "entries")} (${formatBytes(report.removedBytes)}) from ${cache.dir}`);
  if (report.kept.length) console.log(`kept ${plural(report.kept.length, "file")} that are not the cache's: ${report.kept.join(", ")}`);
  return 0;
}

/** `usageError` makes the error main.ts answers with the usage text. */
export async function cacheCommand(args: string[], usageError: (message: string) => Error): Promise<number> {
  const [what, ...rest] = args;
  if (!(SUBCOMMANDS as readonly (string | undefined)[]).includes(what)) {
    throw usageError(`unknown cache command "${what ?? ""}" (available: ${SUBCOMMANDS.join(", ")})`);
  }
  const sub = what as Subcommand;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { workers: { type: "string" }, fix: { type: "boolean" } } });
  if (positionals.length !== 1) throw usageError(`cache ${sub} needs exactly one experiment file`);
  if (values.workers !== undefined && sub !== "build") throw usageError("--workers is an option of cache build");
  if (values.fix !== undefined && sub !== "verify") throw usageError("--fix is an option of cache verify");
  const workers = values.workers === undefined ? os.availableParallelism() : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw usageError(`--workers must be a whole number ≥ 1, not "${values.workers}"`);

  const experiment = loadExperiment(positionals[0]!);
  const cache = experimentCache(experiment);
  switch (sub) {
    case "build":
      return build(experiment, cache, workers);
    case "stats":
      return stats(experiment, cache);
    case "verify":
      return verify(experiment, cache, values.fix ?? false);
    case "clear":
      return clear(cache);
  }
}
