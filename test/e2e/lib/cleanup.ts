/**
 * Everything the suite starts is registered here and torn down in reverse
 * order: in the runner's finally block, on SIGINT/SIGTERM/SIGHUP, and, as a
 * last resort when the process exits some other way, by SIGKILL to each
 * process group still registered (synchronous, so it works in "exit").
 */
type Cleanup = { name: string; run: () => Promise<void> | void };

const cleanups: Cleanup[] = [];
const groups = new Set<number>();
let running: Promise<void> | undefined;

export function onCleanup(name: string, run: () => Promise<void> | void): void {
  cleanups.push({ name, run });
}

/** A process group (the pid of a detached child) to SIGKILL if the runner exits without cleaning up. */
export function trackGroup(pid: number): () => void {
  groups.add(pid);
  return () => groups.delete(pid);
}

export function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** True once a signal asked the suite to stop: what fails after that is the shutdown, not a test. */
export function isShuttingDown(): boolean {
  return signalCode !== undefined;
}
/** 128 + the signal's number once a signal arrived (130 for Ctrl+C). */
export function signalExitCode(): number | undefined {
  return signalCode;
}
let signalCode: number | undefined;

/** Runs every registered cleanup once (later calls wait for the same run). */
export function cleanupAll(log: (line: string) => void = console.error): Promise<void> {
  running ??= (async () => {
    while (cleanups.length) {
      const c = cleanups.pop()!;
      try {
        await c.run();
      } catch (e) {
        log(`cleanup "${c.name}" failed: ${(e as Error).message}`);
      }
    }
  })();
  return running;
}

let installed = false;
export function installSignalHandlers(log: (line: string) => void = console.error): void {
  if (installed) return;
  installed = true;
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of Object.keys(codes) as NodeJS.Signals[]) {
    process.on(sig, () => {
      if (running) {
        // A second Ctrl+C: stop waiting for a polite shutdown.
        for (const g of groups) killGroup(g, "SIGKILL");
        process.exit(codes[sig]);
      }
      signalCode = codes[sig];
      log(`\n${sig}: shutting down what the e2e suite started…`);
      void cleanupAll(log).finally(() => process.exit(codes[sig]));
    });
  }
  process.on("exit", () => {
    for (const g of groups) killGroup(g, "SIGKILL");
  });
}
