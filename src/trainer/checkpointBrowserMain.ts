/**
 * The Checkpoint Browser's child process (dist/checkpointBrowser.js), forked
 * by the extension so TensorFlow.js and sharp never load in the editor:
 * selects a backend, says `ready`, then runs jobs one at a time in the order
 * they come (protocol: src/protocol/checkpointBrowser.ts), each with
 * progress lines and one `done` or `failed`. Exits when the editor drops the
 * IPC channel.
 *
 * argv: [--backend <name>] forces a backend for every job (default: "auto"
 * at start, then whatever concrete backend the run's config names).
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../core/backend/select";
import { BACKENDS, type BackendName } from "../core/config/schema";
import type { CheckpointWorkerToHost, HostToCheckpointWorker } from "../protocol/checkpointBrowser";
import { CheckpointBrowserService } from "./checkpointBrowserService";

// With tfjs-node-gpu, TensorFlow would otherwise reserve nearly all GPU memory, starving a training run beside it.
process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= "true";

function send(message: CheckpointWorkerToHost): Promise<void> {
  return new Promise((resolve) => (process.send && process.connected ? process.send(message, () => resolve()) : resolve()));
}

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

let service: CheckpointBrowserService | undefined;
const queue: HostToCheckpointWorker[] = [];
let busy = false;

async function pump(): Promise<void> {
  if (busy || !service) return;
  busy = true;
  try {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const id = typeof next.id === "number" ? next.id : -1;
      await send(await service.handle(id, next.job, (message) => void send({ type: "progress", id, message })));
    }
  } finally {
    busy = false;
  }
}

async function start(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { backend: { type: "string" } } });
  const forced = values.backend as BackendName | undefined;
  if (forced !== undefined && !(BACKENDS as readonly string[]).includes(forced)) throw new Error(`--backend must be one of ${BACKENDS.join(", ")}`);
  const choice = await selectBackend(forced ?? "auto");
  service = new CheckpointBrowserService(choice.backend, forced);
  await send({ type: "ready", backend: choice.backend });
  await pump(); // jobs sent before `ready`
}

if (!process.send) {
  console.error("dist/checkpointBrowser.js is started by the SSL Studio extension; use `ssl-studio eval <checkpoint>` from a terminal.");
  process.exit(2);
}
process.on("disconnect", () => process.exit(0));
process.on("message", (message: HostToCheckpointWorker) => {
  if (message?.type !== "run") return;
  queue.push(message);
  void pump();
});
start().catch((error: unknown) => {
  console.error(`checkpointBrowser: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
