/**
 * The explorer worker (dist/saliencyExplorer.js) as the extension host sees
 * it: started on the first request, every request answered by id. The
 * worker runs explores latest-only (an older one still waiting resolves
 * "superseded"), lists and stats in order, and builds beside them with
 * progress. A crash or a request that takes too long fails everything
 * pending; the next request starts a fresh worker. Stopped after a minute
 * without work (never during a build). No `vscode` here.
 */
import type { ChildProcess } from "node:child_process";
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
import { IdleTimer } from "../idleTimer";
import { describeExit, forkNodeScript, lineSplitter, TailBuffer, type NodeScriptOptions } from "../nodeProcess";

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

export interface ExplorerWorkerOptions {
  script: string;
  cwd: string;
  nodePath?: string;
  /** Stop the worker after this long without a pending request (default 60 s). */
  idleMs?: number;
  /** An explore, list or stats request unanswered this long kills the worker (default 120 s). Builds have no limit. */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
  /** For tests: how to start the process. */
  fork?: (script: string, args: string[], options: NodeScriptOptions) => ChildProcess;
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

export class ExplorerWorkerClient {
  private child?: ChildProcess;
  private stderr = new TailBuffer(20);
  private readonly pending = new Map<number, Pending>();
  private readonly builds = new Map<number, BuildJob>();
  private readonly idle: IdleTimer;
  private disposed = false;
  /** How many workers were started (a restart after a crash counts). */
  starts = 0;

  constructor(private readonly options: ExplorerWorkerOptions) {
    this.idle = new IdleTimer(options.idleMs ?? 60_000, () => {
      options.log?.("saliency explorer worker idle: stopping it");
      this.stop();
    });
  }

  get running(): boolean {
    return !!this.child;
  }

  get pid(): number | undefined {
    return this.child?.pid;
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
    this.idle.clear();
    const child = this.child ?? this.start();
    if (!child) return Promise.resolve({ type: "failed", id, error: "could not start the Saliency Explorer worker" });
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
    try {
      this.child?.send(message);
    } catch (e) {
      this.kill(`could not be reached (${(e as Error).message})`);
    }
  }

  private start(): ChildProcess | undefined {
    const fork = this.options.fork ?? forkNodeScript;
    let child: ChildProcess;
    try {
      child = fork(this.options.script, [], { cwd: this.options.cwd, nodePath: this.options.nodePath });
    } catch (e) {
      this.options.log?.(`saliency explorer worker: could not start ${this.options.script}: ${(e as Error).message}`);
      return undefined;
    }
    this.child = child;
    this.starts++;
    this.stderr = new TailBuffer(20);
    const log = this.options.log;
    const err = lineSplitter((l) => {
      this.stderr.push(l);
      log?.(`saliency explorer worker: ${l}`);
    });
    const out = lineSplitter((l) => log?.(`saliency explorer worker: ${l}`));
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    let spawnError: string | undefined;
    child.on("error", (e) => (spawnError ??= e.message));
    child.on("message", (m: ExplorerWorkerToHost) => this.onMessage(child, m));
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      if (this.child !== child) return; // a worker we already let go
      this.child = undefined;
      const why = spawnError ? `could not start: ${spawnError}` : describeExit(code, signal, this.stderr.get());
      log?.(`saliency explorer worker (pid ${child.pid}) ${why}`);
      this.failAll(`The Saliency Explorer worker stopped: it ${why}. It restarts with the next request.`);
    });
    log?.(`saliency explorer worker started (pid ${child.pid}): ${this.options.script}`);
    return child;
  }

  private onMessage(child: ChildProcess, m: ExplorerWorkerToHost): void {
    if (child !== this.child || !m || typeof m !== "object") return;
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
    this.idle.clear();
    if (this.child && this.pending.size === 0 && !this.disposed) this.idle.arm();
  }

  /** Kills the worker; everything pending fails with `why`. */
  private kill(why: string): void {
    const child = this.child;
    this.child = undefined;
    this.failAll(`The Saliency Explorer worker ${why}; it was stopped and restarts with the next request.`);
    if (child) {
      child.removeAllListeners("message");
      if (child.connected) child.disconnect(); // the worker exits when its channel closes
      child.kill();
    }
  }

  /** Stops the worker (the next request starts a new one); a running build stops where it is, resumable. */
  stop(): void {
    this.idle.clear();
    this.kill("was stopped");
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }
}
