/**
 * The preview worker (dist/previewWorker.js) as the extension host sees it:
 * started on the first request, one request at a time, and for each panel
 * only its latest request (a newer one replaces the one still waiting, whose
 * promise then resolves "superseded"). Stopped after a minute without work or
 * when the last panel closes; a crash fails the request it was rendering and
 * the next request starts a fresh worker. No `vscode` here: the panel host
 * shows what comes back.
 */
import type { HostToPreviewWorker, PreviewRequest, PreviewResult, PreviewIssue, PreviewWorkerToHost } from "../../protocol/augmentPreview";
import { WorkerClientBase, WorkerProcess, type WorkerProcessOptions } from "../workerProcess";

export type RenderReply =
  | { type: "rendered"; result: PreviewResult }
  | { type: "invalid"; id: number; issues: PreviewIssue[] }
  | { type: "failed"; id: number; error: string }
  /** A newer request of the same panel replaced this one before it was sent. */
  | { type: "superseded"; id: number };

/** Those of the worker process (idle stop after 60 s by default; `args` e.g. ["--backend", "cpu"]), plus the render timeout. */
export interface PreviewWorkerOptions extends Omit<WorkerProcessOptions, "label"> {
  /** A render that takes longer than this kills the worker (default 120 s). */
  renderTimeoutMs?: number;
}

interface Job {
  key: string;
  request: PreviewRequest;
  resolve: (r: RenderReply) => void;
}

export class PreviewWorkerClient extends WorkerClientBase<HostToPreviewWorker, PreviewWorkerToHost> {
  protected readonly worker: WorkerProcess<HostToPreviewWorker, PreviewWorkerToHost>;
  private readonly waiting = new Map<string, Job>();
  private inFlight?: Job & { timer: ReturnType<typeof setTimeout> };
  private disposed = false;
  /** The backend the running worker reported. */
  backend?: string;

  constructor(private readonly options: PreviewWorkerOptions) {
    super();
    this.worker = new WorkerProcess(
      { ...options, label: "preview worker" },
      {
        message: (m) => this.onMessage(m),
        exited: (why) => {
          if (this.inFlight) this.finish({ type: "failed", id: this.inFlight.request.id, error: `The preview worker stopped: it ${why}. It restarts with the next change.` });
        },
      },
    );
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
    if (this.inFlight || this.disposed) return;
    const next = this.waiting.values().next();
    if (next.done) {
      this.worker.armIdle();
      return;
    }
    const job = next.value;
    this.waiting.delete(job.key);
    if (!this.worker.running) this.backend = undefined;
    if (!this.worker.ensure()) {
      job.resolve({ type: "failed", id: job.request.id, error: "could not start the preview worker" });
      return this.pump();
    }
    const timeoutMs = this.options.renderTimeoutMs ?? 120_000;
    const timer = setTimeout(() => {
      this.options.log?.(`preview worker: no answer to request ${job.request.id} in ${timeoutMs / 1000} s; stopping it`);
      this.kill(`did not answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    this.inFlight = { ...job, timer };
    const unsent = this.worker.send({ type: "render", request: job.request });
    if (unsent) this.finish({ type: "failed", id: job.request.id, error: `could not reach the preview worker: ${unsent}` });
  }

  private onMessage(m: PreviewWorkerToHost): void {
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

  /** Kills the worker; a request in flight fails with `why`. */
  private kill(why: string): void {
    this.worker.stop();
    if (this.inFlight) this.finish({ type: "failed", id: this.inFlight.request.id, error: `The preview worker ${why}; it was stopped and restarts with the next change.` });
  }

  /** Stops the worker (the next request starts a new one). */
  stop(): void {
    this.kill("was stopped");
  }

  dispose(): void {
    this.disposed = true;
    for (const job of this.waiting.values()) job.resolve({ type: "superseded", id: job.request.id });
    this.waiting.clear();
    this.stop();
  }
}
