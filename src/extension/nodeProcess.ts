/**
 * Starting our Node scripts (dist/trainer.js, dist/cli.js) from the extension
 * host. There process.execPath is often VS Code's Electron binary, which only
 * behaves as Node with ELECTRON_RUN_AS_NODE=1; a user-chosen Node binary
 * (setting ssl.nodePath) ignores that variable.
 */
import { fork, type ChildProcess } from "node:child_process";

export interface NodeScriptOptions {
  cwd: string;
  /** A Node executable; empty/undefined = the extension host's own runtime. */
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
}

export function forkNodeScript(script: string, args: string[], options: NodeScriptOptions): ChildProcess {
  return fork(script, args, {
    cwd: options.cwd,
    // The extension host's own flags (inspector ports, loaders) must not leak into the child.
    execArgv: [],
    execPath: options.nodePath || undefined,
    env: { ...process.env, ...options.env, ELECTRON_RUN_AS_NODE: "1" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
}

/** Splits a byte stream into lines, holding back a partial last line until it completes. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer | string): void; end(): void } {
  let pending = "";
  return {
    push(chunk) {
      pending += chunk.toString();
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const l of lines) onLine(l);
    },
    end() {
      if (pending) onLine(pending);
      pending = "";
    },
  };
}

/** The last lines of a stream, bounded in count and length: what a crash message can quote. */
export class TailBuffer {
  private lines: string[] = [];
  constructor(private readonly maxLines = 40, private readonly maxLineLength = 1000) {}
  push(line: string): void {
    this.lines.push(line.length > this.maxLineLength ? line.slice(0, this.maxLineLength) + "…" : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
  get(): string[] {
    return [...this.lines];
  }
}

/**
 * The line of a crashed process's stderr that says what went wrong. Node's
 * uncaught-exception report ends with stack frames and its version, and the
 * "Error: …" line is the one a person needs.
 */
export function crashLine(stderrTail: readonly string[]): string | undefined {
  const meaningful = stderrTail
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() && !/^\s+at\s/.test(l) && !/^Node\.js v\d/.test(l) && !/^\s*\^+\s*$/.test(l));
  const errorLine = [...meaningful].reverse().find((l) => /^\s*(\w*Error|Error)\b|^\s*\w+Error:|FATAL|Aborted|Killed|out of memory/i.test(l));
  return (errorLine ?? meaningful.at(-1))?.trim();
}

/** Why a process ended without saying so itself: exit code or signal, plus its last error line. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, stderrTail: readonly string[]): string {
  let how: string;
  if (signal === "SIGKILL") how = "was killed (SIGKILL; the system may have run out of memory)";
  else if (signal) how = `was killed by ${signal}`;
  else if (code === 0) how = "exited without reporting a result";
  else if (code === null) how = "ended for an unknown reason";
  else how = `exited with code ${code}`;
  const line = crashLine(stderrTail);
  return line ? `${how}: ${line}` : how;
}

/** Runs a script to completion, streaming its output lines. */
export function runNodeScript(
  script: string,
  args: string[],
  options: NodeScriptOptions & { onLine: (stream: "stdout" | "stderr", line: string) => void },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = forkNodeScript(script, args, options);
    } catch (e) {
      resolve({ code: null, signal: null, error: (e as Error).message });
      return;
    }
    const out = lineSplitter((l) => options.onLine("stdout", l));
    const err = lineSplitter((l) => options.onLine("stderr", l));
    child.stdout?.on("data", (c: Buffer) => out.push(c));
    child.stderr?.on("data", (c: Buffer) => err.push(c));
    let error: string | undefined;
    child.on("error", (e) => (error = e.message));
    child.on("close", (code, signal) => {
      out.end();
      err.end();
      resolve({ code, signal, error });
    });
  });
}
