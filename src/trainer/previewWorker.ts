/**
 * The augmentation preview's child process (dist/previewWorker.js), forked by
 * the extension so TensorFlow.js and sharp never run in the editor: selects a
 * backend, says `ready`, then answers `render` requests one at a time. A
 * request that arrives while one renders replaces any still waiting (the panel
 * only wants the latest; a superseded request gets no reply). Exits when the
 * editor drops the IPC channel.
 *
 * argv: [--backend <name>] forces a backend for every render (default: "auto"
 * at start, then whatever concrete backend the config names, as the trainer).
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../core/backend/select";
import { BACKENDS, type BackendName } from "../core/config/schema";
import type { HostToPreviewWorker, PreviewRequest, PreviewWorkerToHost } from "../protocol/augmentPreview";
import { PreviewService } from "./previewService";

// With tfjs-node-gpu, TensorFlow would otherwise reserve nearly all GPU memory, starving a training run beside it.
process.env.TF_FORCE_GPU_ALLOW_GROWTH ??= "true";

function send(message: PreviewWorkerToHost): Promise<void> {
  return new Promise((resolve) => (process.send && process.connected ? process.send(message, () => resolve()) : resolve()));
}

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

let service: PreviewService | undefined;
/** Boxed so that even a malformed (null) request waits its turn and gets its `failed`. */
let waiting: { request: PreviewRequest } | undefined;
let rendering = false;

async function pump(): Promise<void> {
  if (rendering || !service) return;
  rendering = true;
  try {
    while (waiting) {
      const { request } = waiting;
      waiting = undefined;
      await send(await service.handle(request));
      // Renders are mostly synchronous tfjs work: let requests that arrived meanwhile in before picking the next.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    rendering = false;
  }
}

async function start(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { backend: { type: "string" } } });
  const forced = values.backend as BackendName | undefined;
  if (forced !== undefined && !(BACKENDS as readonly string[]).includes(forced)) throw new Error(`--backend must be one of ${BACKENDS.join(", ")}`);
  const choice = await selectBackend(forced ?? "auto");
  service = new PreviewService(choice.backend, forced);
  await send({ type: "ready", backend: choice.backend });
  await pump(); // requests sent before `ready`
}

if (!process.send) {
  console.error("dist/previewWorker.js is started by the SSL Studio extension; use `ssl-studio preview <file.ssl.json>` from a terminal.");
  process.exit(2);
}
process.on("disconnect", () => process.exit(0));
process.on("message", (message: HostToPreviewWorker) => {
  if (message?.type !== "render") return;
  waiting = { request: message.request };
  void pump();
});
start().catch((error: unknown) => {
  console.error(`previewWorker: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
