/**
 * The Saliency Explorer's child process (dist/saliencyExplorer.js), forked by
 * the extension so opencv.js (10 MB of wasm) and sharp never load in the
 * editor. Says `ready`, then answers requests (protocol:
 * src/protocol/saliencyExplorer.ts):
 *
 * - explore: one at a time, latest only: an explore that arrives while one
 *   runs replaces the one still waiting, which is answered `superseded`;
 * - listImages and stats: in order, between explores;
 * - build: runs beside the others (its SaliencyCut runs in worker threads),
 *   reporting progress at most every PROGRESS_MS; `cancelBuild` aborts it and
 *   leaves a cache the next build resumes. One build per cache folder.
 *
 * Exits when the editor drops the IPC channel.
 */
import type { BuildProgressInfo, ExplorerWorkerToHost, ExploreRequest, HostToExplorerWorker } from "../protocol/saliencyExplorer";
import { loadOpenCV } from "../core/saliency/opencv";
import { SaliencyExplorerService } from "./saliencyExplorerService";

const PROGRESS_MS = 100;

function send(message: ExplorerWorkerToHost): Promise<void> {
  return new Promise((resolve) => (process.send && process.connected ? process.send(message, () => resolve()) : resolve()));
}

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

const service = new SaliencyExplorerService();
let waitingExplore: ExploreRequest | undefined;
const queue: HostToExplorerWorker[] = [];
let busy = false;
const builds = new Map<number, { controller: AbortController; experimentFile: string }>();

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    for (;;) {
      const next = queue.shift();
      if (next?.type === "listImages") await send(await service.listImages(next.request));
      else if (next?.type === "stats") await send(await service.stats(next.request));
      else if (waitingExplore) {
        const request = waitingExplore;
        waitingExplore = undefined;
        await send(await service.explore(request));
      } else if (!next) break;
      // SaliencyCut is synchronous: let messages that arrived meanwhile in before picking the next.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    busy = false;
  }
}

async function build(message: Extract<HostToExplorerWorker, { type: "build" }>): Promise<void> {
  const { request } = message;
  const id = typeof request?.id === "number" ? request.id : -1;
  const running = [...builds.values()].find((b) => b.experimentFile === request?.experimentFile);
  if (running) {
    await send({ type: "failed", id, error: "a build of this experiment's cache is already running" });
    return;
  }
  const controller = new AbortController();
  builds.set(id, { controller, experimentFile: request.experimentFile });
  let last = 0;
  let pending: BuildProgressInfo | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (pending) void send({ type: "buildProgress", id, progress: pending });
    pending = undefined;
    last = Date.now();
  };
  try {
    const reply = await service.build(
      request,
      (progress) => {
        pending = progress;
        const due = last + PROGRESS_MS - Date.now();
        if (due <= 0 || progress.done === progress.total) flush();
        else timer ??= setTimeout(flush, due);
      },
      controller.signal,
    );
    if (timer) clearTimeout(timer);
    if (pending) flush();
    await send(reply);
  } finally {
    builds.delete(id);
  }
}

if (!process.send) {
  console.error("dist/saliencyExplorer.js is started by the SSL Studio extension; use `ssl-studio saliency <image>` or `ssl-studio cache build <file.ssl.json>` from a terminal.");
  process.exit(2);
}
process.on("disconnect", () => {
  for (const b of builds.values()) b.controller.abort();
  process.exit(0);
});
process.on("message", (message: HostToExplorerWorker) => {
  switch (message?.type) {
    case "explore": {
      const replaced = waitingExplore;
      waitingExplore = message.request;
      if (replaced) void send({ type: "superseded", id: replaced.id });
      break;
    }
    case "listImages":
    case "stats":
      queue.push(message);
      break;
    case "build":
      void build(message);
      return;
    case "cancelBuild":
      builds.get(message.id)?.controller.abort();
      return;
    default:
      return;
  }
  void pump();
});
void send({ type: "ready" });
// OpenCV takes ~0.6 s to load: start now, while the panel is still asking for its first image.
setImmediate(() => void loadOpenCV().catch(() => undefined));
