/**
 * The explorer worker (dist/saliencyExplorer.js) as the extension host sees
 * it: started on the first request, every request answered by id. The
 * worker runs explores latest-only (an older one still waiting resolves
 * "superseded"), lists and stats in order, and builds beside them with
 * progress. A crash or a request that takes too long fails everything
 * pending; the next request starts a fresh worker. Stopped after a minute
 * without work (never during a build). No `vscode` here.
 */
import type {
  BuildProgressInfo,
  BuildRequest,
  BuildSummaryInfo,
  CacheStatsReport,
  ExperimentIssue,
  ExplorerWorkerToHost,
  ExploreRequest,
  ExploreResult,
  HostToExplorerWorker,
  ImageList,
  ImageListRequest,
  StatsRequest,
} from "../../protocol/saliencyExplorer";
import { WorkerClientBase, WorkerProcess, type WorkerProcessOptions } from "../workerProcess";

type Failure = { type: "invalid"; id: number; issues: ExperimentIssue[] } | { type: "failed"; id: number; error: string };
export type ExploreReply = { type: "explored"; result: ExploreResult } | { type: "superseded"; id: number } | Failure;
export type ImagesReply = { type: "images"; list: ImageList } | Failure;
export type StatsReply = { type: "stats"; stats: CacheStatsReport } | Failure;
export type BuildReply = { type: "built"; id: number; summary: BuildSummaryInfo } | Failure;

export interface BuildJob {
  id: number;
  experimentFile: string;
  done: Promise<BuildReply>;
  /** Asks the worker to stop; `done` then resolves with a cancelled summary. */
  cancel(): void;
}

/** Those of the worker process (idle stop after 60 s without a pending request by default), plus the request timeout. */
export interface ExplorerWorkerOptions extends Omit<WorkerProcessOptions, "label" | "args"> {
  /** An explore, list or stats request unanswered this long kills the worker (default 120 s). Builds have no limit. */
  requestTimeoutMs?: number;
}

interface Pending {
  kind: "explore" | "listImages" | "stats" | "build";
  resolve(reply: ExplorerWorkerToHost): void;
  onProgress?(p: BuildProgressInfo): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** Request ids are unique for the life of the extension host. */
let lastId = 0;
export const nextRequestId = (): number => ++lastId;

export class ExplorerWorkerClient extends WorkerClientBase<HostToExplorerWorker, ExplorerWorkerToHost> {
  protected readonly worker: WorkerProcess<HostToExplorerWorker, ExplorerWorkerToHost>;
  private readonly pending = new Map<number, Pending>();
  private readonly builds = new Map<number, BuildJob>();
  private disposed = false;

  constructor(private readonly options: ExplorerWorkerOptions) {
    super();
    this.worker = new WorkerProcess(
      { ...options, label: "saliency explorer worker" },
      {
        message: (m) => this.onMessage(m),
        exited: (why) => this.failAll(`The Saliency Explorer worker stopped: it ${why}. It restarts with the next request.`),
      },
    );
  }




  /** The build of this experiment's cache that is running, if any. */
  buildOf(experimentFile: string): BuildJob | undefined {
    return [...this.builds.values()].find((b) => b.experimentFile === experimentFile);
  }

  explore(request: ExploreRequest): Promise<ExploreReply> {
    return this.ask("explore", { type: "explore", request }, request.id) as Promise<ExploreReply>;
  }

  listImages(request: ImageListRequest): Promise<ImagesReply> {
    return this.ask("listImages", { type: "listImages", request }, request.id) as Promise<ImagesReply>;
  }

  stats(request: StatsRequest): Promise<StatsReply> {
    return this.ask("stats", { type: "stats", request }, request.id) as Promise<StatsReply>;
  }

  build(request: BuildRequest, onProgress: (p: BuildProgressInfo) => void): BuildJob {
    const existing = this.buildOf(request.experimentFile);
    if (existing) return existing;
    const done = this.ask("build", { type: "build", request }, request.id, onProgress) as Promise<BuildReply>;
    const job: BuildJob = {
      id: request.id,
      experimentFile: request.experimentFile,
      done,
      cancel: () => {
        if (this.pending.has(request.id)) this.post({ type: "cancelBuild", id: request.id });
      },
    };
    this.builds.set(request.id, job);
    void done.then(() => {
      this.builds.delete(request.id);
      this.armIdle();
    });
    return job;
  }

  private ask(kind: Pending["kind"], message: HostToExplorerWorker, id: number, onProgress?: (p: BuildProgressInfo) => void): Promise<ExplorerWorkerToHost> {
    if (this.disposed) return Promise.resolve({ type: "failed", id, error: "the Saliency Explorer is closed" });
    if (!this.worker.ensure()) return Promise.resolve({ type: "failed", id, error: "could not start the Saliency Explorer worker" });
    return new Promise((resolve) => {
      const p: Pending = { kind, resolve, onProgress };
      if (kind !== "build") {
        const ms = this.options.requestTimeoutMs ?? 120_000;
        p.timer = setTimeout(() => {
          this.options.log?.(`saliency explorer worker: no answer to ${kind} request ${id} in ${ms / 1000} s; stopping it`);
          this.kill(`did not answer within ${ms / 1000} s`);
        }, ms);
      }
      this.pending.set(id, p);
      this.post(message);
    });
  }

  private post(message: HostToExplorerWorker): void {
    const unsent = this.worker.send(message);
    if (unsent) this.kill(`could not be reached (${unsent})`);
  }

  private onMessage(m: ExplorerWorkerToHost): void {
    if (m.type === "ready") {
      this.options.log?.("saliency explorer worker ready");
      return;
    }
    const id = m.type === "explored" ? m.result?.id : m.type === "images" ? m.list?.id : m.type === "stats" ? m.stats?.id : m.id;
    const p = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!p) return;
    if (m.type === "buildProgress") {
      p.onProgress?.(m.progress);
      return;
    }
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(id!);
    p.resolve(m);
    this.armIdle();
  }

  private failAll(error: string): void {
    const all = [...this.pending.entries()];
    this.pending.clear();
    for (const [id, p] of all) {
      if (p.timer) clearTimeout(p.timer);
      p.resolve({ type: "failed", id, error });
    }
  }

  private armIdle(): void {
    if (this.pending.size === 0 && !this.disposed) this.worker.armIdle();
  }

  /** Kills the worker; everything pending fails with `why`. */
  private kill(why: string): void {
    this.worker.stop();
    this.failAll(`The Saliency Explorer worker ${why}; it was stopped and restarts with the next request.`);
  }

  /** Stops the worker (the next request starts a new one); a running build stops where it is, resumable. */
  stop(): void {
    this.kill("was stopped");
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }
}
