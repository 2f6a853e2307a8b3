/**
 * The preview worker (dist/previewWorker.js) as the extension host sees it:
 * started on the first request, one request at a time, and for each panel
 * only its latest request (a newer one replaces the one still waiting, whose
 * promise then resolves "superseded"). Stopped after a minute without work or
 * when the last panel closes; a crash fails the request it was rendering and
 * the next request starts a fresh worker. No `vscode` here: the panel host
 * shows what comes back.
 */
import type { ChildProcess } from "node:child_process";
import type { HostToPreviewWorker, PreviewRequest, PreviewResult, PreviewIssue, PreviewWorkerToHost } from "../../protocol/augmentPreview";
import { IdleTimer } from "../idleTimer";
import { describeExit, forkNodeScript, lineSplitter, TailBuffer, type NodeScriptOptions } from "../nodeProcess";

export type RenderReply =
  | { type: "rendered"; result: PreviewResult }
  | { type: "invalid"; id: number; issues: PreviewIssue[] }
  | { type: "failed"; id: number; error: string }
  /** A newer request of the same panel replaced this one before it was sent. */
  | { type: "superseded"; id: number };

export interface PreviewWorkerOptions {
  script: string;
  cwd: string;
  nodePath?: string;
  /** Stop the worker after this long without a request (default 60 s). */
  idleMs?: number;
  /** A render that takes longer than this kills the worker (default 120 s). */
  renderTimeoutMs?: number;
  /** Extra arguments (e.g. ["--backend", "cpu"]). */
  args?: string[];
  log?: (line: string) => void;
  /** For tests: how to start the process. */
  fork?: (script: string, args: string[], options: NodeScriptOptions) => ChildProcess;
}

interface Job {
  key: string;
  request: PreviewRequest;
  resolve: (r: RenderReply) => void;
}

export class PreviewWorkerClient {
  private child?: ChildProcess;
  private stderr = new TailBuffer(20);
  private readonly waiting = new Map<string, Job>();
  private inFlight?: Job & { timer: ReturnType<typeof setTimeout> };
  private readonly idle: IdleTimer;
  private disposed = false;
  /** The backend the running worker reported. */
  backend?: string;
  /** How many workers were started (a restart after a crash counts). */
  starts = 0;

  constructor(private readonly options: PreviewWorkerOptions) {
    this.idle = new IdleTimer(options.idleMs ?? 60_000, () => {
      options.log?.("preview worker idle: stopping it");
      this.stop();
    });
  }

  get running(): boolean {
    return !!this.child;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Renders `request` for panel `key`; a later call with the same key supersedes this one if it has not been sent yet. */
  render(key: string, request: PreviewRequest): Promise<RenderReply> {
    if (this.disposed) return Promise.resolve({ type: "failed", id: request.id, error: "the preview is closed" });
    return new Promise((resolve) => {
      const previous = this.waiting.get(key);
      if (previous) {
        this.waiting.delete(key);
        previous.resolve({ type: "superseded", id: previous.request.id });
      }
      this.waiting.set(key, { key, request, resolve });
      this.pump();
    });
  }

  /** Drops what a closed panel was waiting for. */
  forget(key: string): void {
    const job = this.waiting.get(key);
    if (job) {
      this.waiting.delete(key);
      job.resolve({ type: "superseded", id: job.request.id });
    }
  }

  private pump(): void {
    this.idle.clear();
    if (this.inFlight || this.disposed) return;
    const next = this.waiting.values().next();
    if (next.done) {
      this.armIdle();
      return;
    }
    const job = next.value;
    this.waiting.delete(job.key);
    const child = this.child ?? this.start();
    if (!child) {
      job.resolve({ type: "failed", id: job.request.id, error: "could not start the preview worker" });
      return this.pump();
    }
    const timeoutMs = this.options.renderTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      this.options.log?.(`preview worker: no answer to request ${job.request.id} in ${timeoutMs / 1000} s; stopping it`);
      this.kill(`did not answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    this.inFlight = { ...job, timer };
    const message: HostToPreviewWorker = { type: "render", request: job.request };
    try {
      child.send(message);
    } catch (e) {
      this.finish({ type: "failed", id: job.request.id, error: `could not reach the preview worker: ${(e as Error).message}` });
    }
  }

  private start(): ChildProcess | undefined {
    const fork = this.options.fork ?? forkNodeScript;
    let child: ChildProcess;
    try {
      child = fork(this.options.script, this.options.args ?? [], { cwd: this.options.cwd, nodePath: this.options.nodePath });
    } catch (e) {
      this.options.log?.(`preview worker: could not start ${this.options.script}: ${(e as Error).message}`);
      return undefined;
    }
    this.child = child;
    this.starts++;
    this.stderr = new TailBuffer(20);
    this.backend = undefined;
    const log = this.options.log;
    const err = lineSplitter((l) => {
      this.stderr.push(l);
      log?.(`preview worker: ${l}`);
    });
    const out = lineSplitter((l) => log?.(`preview worker: ${l}`));
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    let spawnError: string | undefined;
    child.on("error", (e) => (spawnError ??= e.message));
    child.on("message", (m: PreviewWorkerToHost) => this.onMessage(child, m));
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      if (this.child !== child) return; // a worker we already let go
      this.child = undefined;
      const why = spawnError ? `could not start: ${spawnError}` : describeExit(code, signal, this.stderr.get());
      log?.(`preview worker (pid ${child.pid}) ${why}`);
      if (this.inFlight) this.finish({ type: "failed", id: this.inFlight.request.id, error: `The preview worker stopped: it ${why}. It restarts with the next change.` });
    });
    log?.(`preview worker started (pid ${child.pid}): ${this.options.script}`);
    return child;
  }

  private onMessage(child: ChildProcess, m: PreviewWorkerToHost): void {
    if (child !== this.child || !m || typeof m !== "object") return;
    if (m.type === "ready") {
      this.backend = m.backend;
      this.options.log?.(`preview worker ready (backend ${m.backend})`);
      return;
    }
    const id = m.type === "rendered" ? m.result?.id : m.id;
    // An answer to anything but the request in flight is stale.
    if (!this.inFlight || id !== this.inFlight.request.id) return;
    if (m.type === "rendered" || m.type === "invalid" || m.type === "failed") this.finish(m);
  }

  private finish(reply: RenderReply): void {
    const job = this.inFlight;
    if (!job) return;
    clearTimeout(job.timer);
    this.inFlight = undefined;
    job.resolve(reply);
    this.pump();
  }

  private armIdle(): void {
    if (this.child) this.idle.arm();
  }

  /** Kills the worker; a request in flight fails with `why`. */
  private kill(why: string): void {
    const child = this.child;
    this.child = undefined;
    if (this.inFlight) this.finish({ type: "failed", id: this.inFlight.request.id, error: `The preview worker ${why}; it was stopped and restarts with the next change.` });
    if (child) {
      child.removeAllListeners("message");
      if (child.connected) child.disconnect(); // the worker exits when its channel closes
      child.kill();
    }
  }

  /** Stops the worker (the next request starts a new one). */
  stop(): void {
    this.idle.clear();
    this.kill("was stopped");
  }

  dispose(): void {
    this.disposed = true;
    for (const job of this.waiting.values()) job.resolve({ type: "superseded", id: job.request.id });
    this.waiting.clear();
    this.stop();
  }
}
