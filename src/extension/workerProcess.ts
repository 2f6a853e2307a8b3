/**
 * A panel's child process (dist/previewWorker.js, dist/saliencyExplorer.js,
 * dist/checkpointBrowser.js) as the extension host sees it: started on
 * demand, its output in the log, its end explained (exit code or signal and
 * its last error line), stopped after a quiet spell or on request. Which
 * requests it answers, and how the pending ones fail when it goes, is its
 * client's business. No `vscode` here.
 */
import type { ChildProcess } from "node:child_process";
import { IdleTimer } from "./idleTimer";
import { describeExit, forkNodeScript, lineSplitter, TailBuffer, type NodeScriptOptions } from "./nodeProcess";

export interface WorkerProcessOptions {
  /** How logs and messages name it, e.g. "preview worker". */
  label: string;
  script: string;
  cwd: string;
  nodePath?: string;
  args?: string[];
  /** Stop after this long once the client says it is idle (default 60 s). */
  idleMs?: number;
  log?: (line: string) => void;
  /** For tests: how to start the process. */
  fork?: (script: string, args: string[], options: NodeScriptOptions) => ChildProcess;
}

export interface WorkerProcessEvents<In> {
  /** A message from the process now running (never from one already let go). */
  message(m: In): void;
  /** The process ended on its own (crashed, exited, could not start); `why` reads after "it". Not called after stop(). */
  exited(why: string): void;
}

export class WorkerProcess<Out, In> {
  private child?: ChildProcess;
  private stderr = new TailBuffer(20);
  private readonly idle: IdleTimer;
  /** How many processes were started (a restart after a crash counts). */
  starts = 0;

  constructor(
    private readonly options: WorkerProcessOptions,
    private readonly events: WorkerProcessEvents<In>,
  ) {
    this.idle = new IdleTimer(options.idleMs ?? 60_000, () => {
      options.log?.(`${options.label} idle: stopping it`);
      this.stop();
    });
  }

  get running(): boolean {
    return !!this.child;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process unless it runs; false when it could not be started (logged). */
  ensure(): boolean {
    this.idle.clear();
    return !!(this.child ?? this.start());
  }

  /** Sends to the running process; returns why it could not. */
  send(message: Out): string | undefined {
    if (!this.child) return "it is not running";
    try {
      this.child.send(message as object);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** The client has nothing pending: stop after the idle time unless something new comes. */
  armIdle(): void {
    if (this.child) this.idle.arm();
  }

  /** Lets the process go: no more messages from it, its channel closed (our workers exit then), and SIGTERM. */
  stop(): void {
    this.idle.clear();
    const child = this.child;
    this.child = undefined;
    if (!child) return;
    child.removeAllListeners("message");
    if (child.connected) child.disconnect();
    child.kill();
  }

  private start(): ChildProcess | undefined {
    const { label, log } = this.options;
    const fork = this.options.fork ?? forkNodeScript;
    let child: ChildProcess;
    try {
      child = fork(this.options.script, this.options.args ?? [], { cwd: this.options.cwd, nodePath: this.options.nodePath });
    } catch (e) {
      log?.(`${label}: could not start ${this.options.script}: ${(e as Error).message}`);
      return undefined;
    }
    this.child = child;
    this.starts++;
    this.stderr = new TailBuffer(20);
    const err = lineSplitter((l) => {
      this.stderr.push(l);
      log?.(`${label}: ${l}`);
    });
    const out = lineSplitter((l) => log?.(`${label}: ${l}`));
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    let spawnError: string | undefined;
    child.on("error", (e) => (spawnError ??= e.message));
    child.on("message", (m: In) => {
      if (child === this.child && m && typeof m === "object") this.events.message(m);
    });
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      if (this.child !== child) return; // one we already let go
      this.child = undefined;
      this.idle.clear();
      const why = spawnError ? `could not start: ${spawnError}` : describeExit(code, signal, this.stderr.get());
      log?.(`${label} (pid ${child.pid}) ${why}`);
      this.events.exited(why);
    });
    log?.(`${label} started (pid ${child.pid}): ${this.options.script}`);
    return child;
  }
}

/** What every panel's worker client tells about its process (the tests and the log read it). */
export abstract class WorkerClientBase<Out, In> {
  protected abstract readonly worker: WorkerProcess<Out, In>;

  get running(): boolean {
    return this.worker.running;
  }

  get pid(): number | undefined {
    return this.worker.pid;
  }

  /** How many workers were started (a restart after a crash counts). */
  get starts(): number {
    return this.worker.starts;
  }
}
