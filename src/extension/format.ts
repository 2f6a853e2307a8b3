/**
 * Text shown in the notification, status bar, tree and messages. Kept apart
 * from the vscode glue so the wording can be tested in plain Node.
 */
import * as path from "node:path";
import type { TrainerToHost } from "../protocol/trainerMessages";
import type { EvalReport, RunSummary } from "../protocol/runFiles";
import type { RunInfo, CheckpointInfo, RunState } from "./runFolder";

export type ProgressMessage = Extract<TrainerToHost, { type: "progress" }>;

const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** "45s", "2m 05s", "1h 03m": ETA precision beyond that is noise. */
export function formatDuration(seconds: number): string {
  if (!num(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, "0")}m`;
}

/** kNN accuracy is 0..1 in the run files; people read percent. */
export function formatPercent(fraction: number): string {
  return num(fraction) ? `${(fraction * 100).toFixed(1)}%` : "?";
}

export function formatLoss(loss: number): string {
  if (!num(loss)) return String(loss);
  return Math.abs(loss) >= 100 ? loss.toFixed(1) : loss.toPrecision(4);
}

export function formatRate(imagesPerSec: number): string {
  if (!num(imagesPerSec)) return "? img/s";
  return `${imagesPerSec >= 10 ? Math.round(imagesPerSec) : imagesPerSec.toFixed(1)} img/s`;
}

/** "epoch 3/10 · loss 4.123 · 812 img/s · ETA 2m 05s" */
export function formatProgress(p: ProgressMessage, epochs?: number): string {
  const parts = [`epoch ${p.epoch}${num(epochs) ? `/${epochs}` : ""}`, `loss ${formatLoss(p.loss)}`, formatRate(p.imagesPerSec)];
  if (num(p.etaSeconds) && p.etaSeconds > 0) parts.push(`ETA ${formatDuration(p.etaSeconds)}`);
  return parts.join(" · ");
}

/** Whole percent of the run done, for withProgress (which takes increments). */
export function progressPercent(p: Pick<ProgressMessage, "step" | "totalSteps">): number {
  if (!num(p.step) || !num(p.totalSteps) || p.totalSteps <= 0) return 0;
  return Math.max(0, Math.min(100, (p.step / p.totalSteps) * 100));
}

export interface LiveRun {
  experimentName: string;
  epochs?: number;
  progress?: ProgressMessage;
  stopping?: boolean;
}

/** The status-bar text: one run in detail, several as a count. */
export function statusBarText(runs: readonly LiveRun[]): string {
  if (runs.length === 0) return "";
  if (runs.length > 1) return `$(loading~spin) SSL: ${runs.length} runs`;
  const r = runs[0]!;
  if (r.stopping) return `$(loading~spin) SSL ${r.experimentName}: stopping…`;
  if (!r.progress) return `$(loading~spin) SSL ${r.experimentName}: starting…`;
  const ep = `${r.progress.epoch}${num(r.epochs) ? `/${r.epochs}` : ""}`;
  return `$(loading~spin) SSL ${r.experimentName} ${ep} · loss ${formatLoss(r.progress.loss)}`;
}

export function liveRunLine(r: LiveRun): string {
  if (r.stopping) return `${r.experimentName}: stopping after the current step`;
  if (!r.progress) return `${r.experimentName}: starting`;
  return `${r.experimentName}: ${formatProgress(r.progress, r.epochs)}`;
}

export interface RunPresentation {
  /** Which icon: the state, with "unknown" for unreadable summaries. */
  icon: RunState;
  description: string;
  tooltip: string[];
}

function epochsText(s: RunSummary | undefined): string | undefined {
  if (!s || !num(s.epochsDone)) return undefined;
  return `epoch ${s.epochsDone}${num(s.epochs) ? `/${s.epochs}` : ""}`;
}

function firstLine(text: string, max = 80): string {
  const line = text.split("\n").find((l) => l.trim()) ?? text;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * How a run looks in the tree. `live` is what the trainer told us over IPC
 * (fresher than the files); `failure` is a reason we learnt this session
 * (a crash leaves a "running" summary behind, with no reason in it).
 */
export function presentRun(run: RunInfo, live?: LiveRun, failure?: string): RunPresentation {
  const s = run.summary;
  const tooltip: string[] = [run.dir];
  if (s) {
    tooltip.push(`method ${s.method ?? "?"} · backend ${s.backend ?? "?"}`);
    if (typeof s.startedAt === "string") tooltip.push(`started ${s.startedAt}${typeof s.endedAt === "string" ? `, ended ${s.endedAt}` : ""}`);
    const ep = epochsText(s);
    if (ep) tooltip.push(ep + (num(s.wallSeconds) ? ` in ${formatDuration(s.wallSeconds)}` : ""));
    if (num(s.finalLoss)) tooltip.push(`final loss ${formatLoss(s.finalLoss)}`);
    if (num(s.knnInitial) || num(s.knnFinal)) {
      tooltip.push(`kNN ${num(s.knnInitial) ? formatPercent(s.knnInitial) : "?"} at init → ${num(s.knnFinal) ? formatPercent(s.knnFinal) : "?"}`);
    }
    if (num(s.skippedImages) && s.skippedImages > 0) tooltip.push(`${s.skippedImages} unreadable images skipped (see events.jsonl)`);
  } else if (run.summaryProblem) {
    tooltip.push(run.summaryProblem);
  }
  const ckpt = run.checkpoints.at(-1);
  if (ckpt) tooltip.push(`last checkpoint: epoch ${ckpt.meta.epoch}`);

  if (live) {
    tooltip.push(liveRunLine(live));
    return { icon: "running", description: live.progress ? formatProgress(live.progress, live.epochs) : live.stopping ? "stopping…" : "starting…", tooltip };
  }
  if (failure) {
    tooltip.push(`failed: ${failure}`);
    return { icon: "failed", description: `failed: ${firstLine(failure, 60)}`, tooltip };
  }
  switch (run.state) {
    case "running": {
      const m = run.lastMetric;
      // Train rows carry fractional epochs done (1.4 = 40% into the 2nd); show the epoch being trained, as progress does.
      const current = m && num(m.epoch) ? (m.kind === "train" ? Math.floor(m.epoch) + 1 : m.epoch) : undefined;
      const capped = current !== undefined && num(s?.epochs) ? Math.min(current, s!.epochs) : current;
      const parts = [capped !== undefined ? `epoch ${capped}${num(s?.epochs) ? `/${s!.epochs}` : ""}` : (epochsText(s) ?? "running")];
      if (m?.kind === "train" && num(m.loss)) parts.push(`loss ${formatLoss(m.loss)}`);
      return { icon: "running", description: parts.join(" · "), tooltip };
    }
    case "finished":
      return { icon: "finished", description: num(s?.knnFinal) ? `kNN ${formatPercent(s!.knnFinal)}` : "finished", tooltip };
    case "stopped":
      return { icon: "stopped", description: `stopped${epochsText(s) ? ` at ${epochsText(s)}` : ""}`, tooltip };
    case "failed": {
      const reason = typeof s?.error === "string" && s.error ? s.error : "no reason recorded";
      tooltip.push(`failed: ${reason}`);
      return { icon: "failed", description: `failed: ${firstLine(reason, 60)}`, tooltip };
    }
    case "interrupted":
      tooltip.push(
        `The trainer (pid ${s?.pid}) is gone without finishing: killed or crashed.` +
          (ckpt ? ` Resume continues from epoch ${ckpt.meta.epoch}.` : ""),
      );
      return { icon: "interrupted", description: `interrupted${epochsText(s) ? ` at ${epochsText(s)}` : ""}`, tooltip };
    case "unknown":
      return { icon: "unknown", description: run.summaryProblem ?? "unknown state", tooltip };
  }
}

/**
 * A checkpoint's line in the tree. `evaluated` holds what was measured on it
 * after its run (the Checkpoint Browser's eval.json): newer than meta.json's
 * kNN when both exist.
 */
export function presentCheckpoint(c: CheckpointInfo, evaluated?: EvalReport): { label: string; description: string; tooltip: string[] } {
  const m = c.meta;
  const parts: string[] = [];
  if (num(m.loss)) parts.push(`loss ${formatLoss(m.loss)}`);
  const knn = evaluated?.knn ?? m.knn;
  if (num(knn)) parts.push(`kNN ${formatPercent(knn)}`);
  const linear = evaluated?.linear?.find((l) => l.fraction === 1)?.accuracy;
  if (num(linear)) parts.push(`linear ${formatPercent(linear)}`);
  if (num(evaluated?.rotation)) parts.push(`rotation ${formatPercent(evaluated.rotation)}`);
  const tooltip = [c.dir];
  if (typeof m.savedAt === "string") tooltip.push(`saved ${m.savedAt}`);
  if (num(m.step)) tooltip.push(`step ${m.step}`);
  if (m.files && typeof m.files === "object") {
    const bytes = Object.values(m.files).reduce((a, b) => a + (num(b) ? b : 0), 0);
    tooltip.push(`${Object.keys(m.files).length} files, ${formatBytes(bytes)}`);
  }
  return { label: checkpointLabel(c.name, c.meta.epoch), description: parts.join(" · "), tooltip };
}

export function formatBytes(n: number): string {
  if (!num(n)) return "?";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The one-line result shown when a run ends well. */
export function finishedText(experimentName: string, s: RunSummary): string {
  const parts = [`SSL: ${experimentName} finished`];
  if (num(s.knnFinal)) {
    parts.push(`kNN ${num(s.knnInitial) ? `${formatPercent(s.knnInitial)} → ` : ""}${formatPercent(s.knnFinal)}`);
  }
  const detail = [epochsText(s), num(s.wallSeconds) ? formatDuration(s.wallSeconds) : undefined].filter(Boolean);
  return parts.join(": ") + (detail.length ? ` (${detail.join(", ")})` : "") + ".";
}

/** "epoch 3", or "epoch 3 + 17 steps" for checkpoint folder "3.17", saved by a stop 17 steps into the 4th epoch. */
export function checkpointLabel(folderName: string, epoch: number): string {
  const [, stepsIntoEpoch] = folderName.split(".");
  return stepsIntoEpoch ? `epoch ${epoch} + ${stepsIntoEpoch} steps` : `epoch ${epoch}`;
}

export function stoppedText(experimentName: string, s: RunSummary, lastCheckpoint?: { epoch: number; dir: string }): string {
  const at = epochsText(s);
  const kept = lastCheckpoint ? ` Checkpoint of ${checkpointLabel(path.basename(lastCheckpoint.dir), lastCheckpoint.epoch)} kept.` : "";
  return `SSL: ${experimentName} stopped${at ? ` at ${at}` : ""}.${kept}`;
}
