/**
 * The checkpoint worker (dist/checkpointBrowser.js) as the extension host
 * sees it: started on the first job, jobs answered by id in the order sent,
 * each with progress lines. Jobs have no time limit (a linear probe on a
 * large dataset takes minutes); a crash fails every pending job and the next
 * job starts a fresh worker. Stopped after a minute without pending jobs.
 * No `vscode` here.
 */
import type { CheckpointJob, CheckpointWorkerToHost, HostToCheckpointWorker, JobResult } from "../../protocol/checkpointBrowser";
import { WorkerClientBase, WorkerProcess, type WorkerProcessOptions } from "../workerProcess";

export type JobReply = { type: "done"; result: JobResult; seconds: number } | { type: "failed"; error: string };

interface Pending {
  resolve(reply: JobReply): void;
  onProgress?(message: string): void;
}

export class CheckpointWorkerClient extends WorkerClientBase<HostToCheckpointWorker, CheckpointWorkerToHost> {
  protected readonly worker: WorkerProcess<HostToCheckpointWorker, CheckpointWorkerToHost>;
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;
  private disposed = false;
  /** The backend the running worker reported. */
  backend?: string;

  constructor(private readonly options: Omit<WorkerProcessOptions, "label">) {
    super();
    this.worker = new WorkerProcess(
      { ...options, label: "checkpoint worker" },
      {
        message: (m) => this.onMessage(m),
        exited: (why) => this.failAll(`The checkpoint worker stopped: it ${why}. It restarts with the next action.`),
      },
    );
  }




  run(job: CheckpointJob, onProgress?: (message: string) => void): Promise<JobReply> {
    if (this.disposed) return Promise.resolve({ type: "failed", error: "the Checkpoint Browser is closed" });
    if (!this.worker.running) this.backend = undefined;
    if (!this.worker.ensure()) return Promise.resolve({ type: "failed", error: "could not start the checkpoint worker" });
    const id = ++this.lastId;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, onProgress });
      const unsent = this.worker.send({ type: "run", id, job });
      if (unsent) this.kill(`could not be reached (${unsent})`);
    });
  }

  private onMessage(m: CheckpointWorkerToHost): void {
    if (m.type === "ready") {
      this.backend = m.backend;
      this.options.log?.(`checkpoint worker ready (backend ${m.backend})`);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === "progress") {
      p.onProgress?.(m.message);
      return;
    }
    this.pending.delete(m.id);
    p.resolve(m.type === "done" ? { type: "done", result: m.result, seconds: m.seconds } : { type: "failed", error: m.error });
    if (this.pending.size === 0 && !this.disposed) this.worker.armIdle();
  }

  private failAll(error: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.resolve({ type: "failed", error });
  }

  /** Kills the worker; every pending job fails with `why`. */
  private kill(why: string): void {
    this.worker.stop();
    this.failAll(`The checkpoint worker ${why}; it was stopped and restarts with the next action.`);
  }

  /** Stops the worker (the next job starts a new one). */
  stop(): void {
    this.kill("was stopped");
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }
}
