/**
 * The runs this extension host is driving right now (at most one per
 * experiment file), and the failures it witnessed this session. The tree,
 * status bar and commands all read this one place; it knows nothing of vscode.
 */
import * as path from "node:path";
import type { MetricRow } from "../protocol/runFiles";
import type { TrainerToHost } from "../protocol/trainerMessages";
import type { ProgressMessage, LiveRun } from "./format";

/** What the registry needs from a trainer: TrainerProcess, or a fake in tests. */
export interface TrainerHandle {
  stop(): boolean;
  kill(): void;
}

export interface ActiveRun extends LiveRun {
  experimentFile: string;
  experimentName: string;
  trainer: TrainerHandle;
  runDir?: string;
  runId?: string;
  backend?: string;
  epochs?: number;
  stepsPerEpoch?: number;
  progress?: ProgressMessage;
  lastKnn?: { epoch: number; knn: number };
  lastCheckpoint?: { epoch: number; dir: string };
  stopping: boolean;
}

export type RegistryChange =
  | { kind: "added" | "removed" | "state"; run: ActiveRun }
  | { kind: "progress"; run: ActiveRun }
  /** A row the trainer just logged: the loss-curves panel plots it without reading the file. */
  | { kind: "metric"; run: ActiveRun; row: MetricRow };

const key = (file: string) => {
  const abs = path.resolve(file);
  return process.platform === "win32" ? abs.toLowerCase() : abs;
};

export class RunRegistry {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly failures = new Map<string, string>();
  private readonly listeners = new Set<(c: RegistryChange) => void>();

  onChange(listener: (c: RegistryChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(c: RegistryChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch {
        // One broken view must not stop the others from hearing about the run.
      }
    }
  }

  get(experimentFile: string): ActiveRun | undefined {
    return this.runs.get(key(experimentFile));
  }

  list(): ActiveRun[] {
    return [...this.runs.values()];
  }

  byRunDir(runDir: string): ActiveRun | undefined {
    const k = key(runDir);
    return this.list().find((r) => r.runDir !== undefined && key(r.runDir) === k);
  }

  add(experimentFile: string, experimentName: string, trainer: TrainerHandle): ActiveRun {
    if (this.get(experimentFile)) throw new Error(`${experimentName} is already running`);
    const run: ActiveRun = { experimentFile: path.resolve(experimentFile), experimentName, trainer, stopping: false };
    this.runs.set(key(experimentFile), run);
    this.emit({ kind: "added", run });
    return run;
  }

  /** Folds a trainer message into the run's live state. */
  apply(experimentFile: string, m: TrainerToHost): void {
    const run = this.get(experimentFile);
    if (!run) return;
    switch (m.type) {
      case "runStarted":
        Object.assign(run, { runDir: m.runDir, runId: m.runId, backend: m.backend, epochs: m.epochs, stepsPerEpoch: m.stepsPerEpoch });
        this.failures.delete(key(m.runDir));
        this.emit({ kind: "state", run });
        break;
      case "progress":
        run.progress = m;
        this.emit({ kind: "progress", run });
        break;
      case "eval":
        if (m.knn !== undefined) run.lastKnn = { epoch: m.epoch, knn: m.knn };
        this.emit({ kind: "progress", run });
        break;
      case "metric":
        this.emit({ kind: "metric", run, row: m.row });
        break;
      case "checkpoint":
        run.lastCheckpoint = { epoch: m.epoch, dir: m.dir };
        this.emit({ kind: "state", run });
        break;
      case "failed":
        if (m.runDir && !run.runDir) run.runDir = m.runDir;
        break;
      default:
        break;
    }
  }

  markStopping(experimentFile: string): void {
    const run = this.get(experimentFile);
    if (!run || run.stopping) return;
    run.stopping = true;
    this.emit({ kind: "state", run });
  }

  /** The run ended; `failure` is remembered for its folder so the tree can say why. */
  remove(experimentFile: string, failure?: string): void {
    const run = this.get(experimentFile);
    if (!run) return;
    this.runs.delete(key(experimentFile));
    if (failure && run.runDir) this.failures.set(key(run.runDir), failure);
    this.emit({ kind: "removed", run });
  }

  failureOf(runDir: string): string | undefined {
    return this.failures.get(key(runDir));
  }
}
