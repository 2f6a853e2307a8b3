/**
 * The Checkpoint Browser's table from the run folders on disk: one row per
 * complete checkpoint, with the evaluation its run logged at that step
 * (metrics.jsonl), the kNN in its meta.json, and what the browser measured
 * later (its eval.json) laid over them, newest last. Plain Node: tested on
 * real run folders.
 */
import * as path from "node:path";
import type { Experiment } from "../../core/config/schema";
import { exportProblem } from "../../core/export/layersModel";
import { readJsonLines } from "../../core/run/atomicFile";
import { readCheckpointEval } from "../../core/run/checkpointEval";
import type { CheckpointRow, PanelTable } from "../../protocol/checkpointBrowser";
import type { EvalReport, MetricRow } from "../../protocol/runFiles";
import { checkpointLabel } from "../format";
import { listRuns, readJsonFile, readRun, type RunInfo } from "../runFolder";

/** What the panel shows: one run, or every run of an experiment (runs started later included). */
export type BrowserScope = { kind: "run"; runDir: string } | { kind: "experiment"; runsDir: string };

export interface BrowserTarget {
  /** The experiment file the runs belong to, when known (resume and "new experiment" need it). */
  experimentFile?: string;
  experimentName: string;
  scope: BrowserScope;
  /** A checkpoint folder to select. */
  selected?: string;
}

const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

/** The evaluation logged at each step (the last one, if a step has two). */
function evalsByStep(runDir: string): Map<number, EvalReport & { snapshot?: string }> {
  const out = new Map<number, EvalReport & { snapshot?: string }>();
  for (const row of readJsonLines<MetricRow>(path.join(runDir, "metrics.jsonl"))) if (row?.kind === "eval" && num(row.step)) out.set(row.step, row);
  return out;
}

function fullLinear(report: EvalReport): number | undefined {
  const probes = report.linear?.filter((l) => num(l.accuracy));
  return probes?.length ? probes.reduce((a, b) => (b.fraction > a.fraction ? b : a)).accuracy : undefined;
}

function runRows(run: RunInfo, live: boolean): CheckpointRow[] {
  const read = readJsonFile<Partial<Experiment>>(path.join(run.dir, "config.json"));
  const config = read.ok ? read.value : undefined;
  const epochs = run.summary?.epochs ?? config?.train?.epochs;
  const problem = config?.model ? exportProblem(config.model) : "the run has no readable config.json";
  const logged = evalsByStep(run.dir);
  const running = live || run.state === "running";
  return run.checkpoints.map((c) => {
    const m = c.meta;
    const atStep = logged.get(m.step);
    const report: EvalReport = { ...atStep, ...(num(m.knn) ? { knn: m.knn } : {}), ...readCheckpointEval(c.dir)?.report };
    const bytes = Object.values(m.files ?? {}).reduce((a, b) => a + (num(b) ? b : 0), 0);
    const row: CheckpointRow = {
      dir: c.dir,
      runId: run.id,
      runDir: run.dir,
      name: c.name,
      label: checkpointLabel(c.name, m.epoch),
      epoch: m.epoch,
      step: m.step,
      savedAt: typeof m.savedAt === "string" ? m.savedAt : "",
      bytes,
      backend: typeof m.backend === "string" ? m.backend : "?",
      resumable: !running && num(epochs) && m.epoch < epochs,
    };
    if (num(m.loss)) row.loss = m.loss;
    if (num(report.knn)) row.knn = report.knn;
    const linear = fullLinear(report);
    if (linear !== undefined) row.linear = linear;
    if (num(report.rotation)) row.rotation = report.rotation;
    if (typeof atStep?.snapshot === "string") row.snapshot = atStep.snapshot;
    if (problem) row.exportProblem = problem;
    return row;
  });
}

/** The run folders in scope, newest first. */
export function runsOf(scope: BrowserScope): RunInfo[] {
  return scope.kind === "run" ? [readRun(scope.runDir)] : listRuns(scope.runsDir);
}

/** The table for `target`; `isLive` says whether this window's trainer is writing a run (fresher than its summary). */
export function checkpointTable(target: BrowserTarget, isLive: (runDir: string) => boolean = () => false): PanelTable {
  const runs = runsOf(target.scope);
  const rows = runs.flatMap((r) => runRows(r, isLive(r.dir)));
  const title =
    target.scope.kind === "run"
      ? `Checkpoints of ${path.basename(target.scope.runDir)} · ${target.experimentName}`
      : `Checkpoints of ${target.experimentName} · ${runs.length} run${runs.length === 1 ? "" : "s"}`;
  return { type: "table", title, allRuns: target.scope.kind === "experiment", rows, selected: target.selected };
}

/** The later checkpoints of the same run, which a resume from `row` discards. */
export function laterCheckpoints(rows: readonly CheckpointRow[], row: CheckpointRow): CheckpointRow[] {
  return rows.filter((r) => r.runDir === row.runDir && r.step > row.step);
}
