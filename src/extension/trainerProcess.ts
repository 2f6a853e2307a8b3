/**
 * One trainer child process (dist/trainer.js) and its IPC conversation: the
 * start message, the stream of TrainerToHost messages, stop, and the outcome.
 * The outcome comes from the trainer's final message when it sent one, and
 * otherwise from how the process died, so a crash is never silent.
 */
import type { ChildProcess } from "node:child_process";
import type { HostToTrainer, TrainerToHost } from "../protocol/trainerMessages";
import type { RunSummary } from "../protocol/runFiles";
import { forkNodeScript, lineSplitter, TailBuffer, describeExit } from "./nodeProcess";

export interface TrainerStartOptions {
  trainerScript: string;
  cwd: string;
  experimentFile: string;
  resumeRunDir?: string;
  backend?: string;
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
}

export type TrainerOutcome =
  | { kind: "finished"; summary: RunSummary }
  | { kind: "stopped"; summary: RunSummary }
  | { kind: "failed"; error: string; file?: string; field?: string; line?: number; runDir?: string }
  | {
      kind: "crashed";
      reason: string;
      code: number | null;
      signal: NodeJS.Signals | null;
      stderrTail: string[];
    };

export interface TrainerListener {
  message?(m: TrainerToHost): void;
  output?(stream: "stdout" | "stderr", line: string): void;
  exit?(outcome: TrainerOutcome): void;
}

// A Record, so adding a message type to the protocol without listing it here does not compile.
const KNOWN: Record<TrainerToHost["type"], true> = {
  log: true,
  runStarted: true,
  progress: true,
  eval: true,
  metric: true,
  checkpoint: true,
  finished: true,
  stopped: true,
  failed: true,
};
const MESSAGE_TYPES = new Set(Object.keys(KNOWN));

export function isTrainerMessage(m: unknown): m is TrainerToHost {
  return m !== null && typeof m === "object" && MESSAGE_TYPES.has((m as { type?: unknown }).type as string);
}

/** The outcome a final message stands for, or undefined for in-progress messages. */
export function outcomeOf(m: TrainerToHost): TrainerOutcome | undefined {
  switch (m.type) {
    case "finished":
      return { kind: "finished", summary: m.summary };
    case "stopped":
      return { kind: "stopped", summary: m.summary };
    case "failed":
      return { kind: "failed", error: m.error, file: m.file, field: m.field, line: m.line, runDir: m.runDir };
    default:
      return undefined;
  }
}

export class TrainerProcess {
  readonly done: Promise<TrainerOutcome>;
  private readonly child?: ChildProcess;
  private readonly stderr = new TailBuffer();
  private final?: TrainerOutcome;
  private ended = false;
  private stopRequested = false;
  private started = false;

  constructor(options: TrainerStartOptions, private readonly listener: TrainerListener = {}) {
    let resolveDone!: (o: TrainerOutcome) => void;
    this.done = new Promise((r) => (resolveDone = r));
    const finish = (o: TrainerOutcome) => {
      if (this.ended) return;
      this.ended = true;
      this.listener.exit?.(o);
      resolveDone(o);
    };

    let child: ChildProcess;
    try {
      child = this.child = forkNodeScript(options.trainerScript, [], options);
    } catch (e) {
      // fork throws synchronously for bad options (e.g. a cwd that is not a folder).
      queueMicrotask(() => finish({ kind: "crashed", reason: `could not start the trainer: ${(e as Error).message}`, code: null, signal: null, stderrTail: [] }));
      return;
    }

    const out = lineSplitter((l) => this.listener.output?.("stdout", l));
    const err = lineSplitter((l) => {
      this.stderr.push(l);
      this.listener.output?.("stderr", l);
    });
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));

    child.on("spawn", () => (this.started = true));
    child.on("message", (m: unknown) => {
      if (!isTrainerMessage(m)) {
        this.listener.output?.("stderr", `unexpected message from the trainer: ${JSON.stringify(m)}`);
        return;
      }
      this.final ??= outcomeOf(m);
      this.listener.message?.(m);
    });

    let spawnError: string | undefined;
    child.on("error", (e) => {
      // Spawn failures come here (e.g. ssl.nodePath points nowhere); send() errors too, which the close handles.
      spawnError ??= e.message;
    });
    // The trainer disconnects after its final message; if something then keeps it alive a while, the run is still over.
    child.on("disconnect", () => {
      if (this.final) finish(this.final);
    });
    // "close" rather than "exit": it waits for stdio to drain, so the stderr tail is complete.
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      if (this.final) return finish(this.final);
      const tail = this.stderr.get();
      const reason = spawnError && !this.started ? `could not start the trainer: ${spawnError}` : describeExit(code, signal, tail);
      finish({ kind: "crashed", reason, code, signal, stderrTail: tail });
    });

    this.send({
      type: "start",
      experimentFile: options.experimentFile,
      ...(options.resumeRunDir ? { resumeRunDir: options.resumeRunDir } : {}),
      ...(options.backend ? { backend: options.backend } : {}),
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !this.ended;
  }

  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Ask for a clean stop (finish the step, checkpoint, exit). False if the trainer is already gone. */
  stop(): boolean {
    this.stopRequested = true;
    return this.send({ type: "stop" });
  }

  /** The last resort when a stop does not come: the run keeps its last complete checkpoint. */
  kill(): void {
    if (this.ended) return;
    this.child?.kill("SIGKILL");
  }

  private send(m: HostToTrainer): boolean {
    if (!this.child?.connected) return false;
    try {
      // With a callback, a channel that closes in between is reported here instead of as an "error" event.
      this.child.send(m, () => undefined);
      return true;
    } catch {
      return false;
    }
  }
}
