/**
 * A pool of SaliencyCut worker threads. Each thread takes one image at a
 * time; pixels go in and results come back as transferred buffers. A thread
 * that crashes (an uncaught error, running out of memory) fails only the image
 * it was on and is replaced for the next one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { SaliencyParams } from "../../config/saliencySchema";
import type { RgbImage } from "../types";
import type { CacheEntry } from "./entryFormat";
import type { SaliencyJob, SaliencyJobResult } from "./workerProtocol";

/** dist/saliencyWorker.js next to the running bundle; from the TypeScript sources (tests and scripts under tsx) the .ts file. */
export function saliencyWorkerScript(): string {
  const bundled = path.join(__dirname, "saliencyWorker.js");
  return fs.existsSync(bundled) ? bundled : path.join(__dirname, "saliencyWorker.ts");
}

/**
 * Node 20 does not pass tsx's loader on to worker threads, so a TypeScript
 * worker first registers tsx's require hook, found from the script's folder.
 */
function startWorker(script: string): Worker {
  if (!script.endsWith(".ts")) return new Worker(script);
  const from = JSON.stringify(script);
  return new Worker(`const r = require("node:module").createRequire(${from}); r("tsx/cjs"); r(${from});`, { eval: true });
}

export class PoolClosedError extends Error {
  override name = "PoolClosedError";
}

interface Pending {
  job: SaliencyJob;
  resolve: (entry: CacheEntry) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  pending?: Pending;
}

export class SaliencyWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly script: string = saliencyWorkerScript(),
  ) {}

  /** Computes one image; `image.data` is transferred to the thread (unusable here afterwards). */
  compute(image: RgbImage, params: SaliencyParams): Promise<CacheEntry> {
    if (this.closed) return Promise.reject(new PoolClosedError("the SaliencyCut worker pool is closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { image, params }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length && !this.closed) {
      const slot = this.slots.find((s) => !s.pending) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      const pending = this.queue.shift()!;
      slot.pending = pending;
      const { buffer } = pending.job.image.data;
      // A SharedArrayBuffer is shared, not transferred.
      slot.worker.postMessage(pending.job, buffer instanceof ArrayBuffer ? [buffer] : []);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(this.script) };
    slot.worker.on("message", (m: SaliencyJobResult) => {
      const pending = slot.pending!;
      slot.pending = undefined;
      if (m.ok) pending.resolve(m.entry);
      else pending.reject(new Error(m.error));
      this.dispatch();
    });
    // "error" (an uncaught exception) is followed by "exit"; whichever comes first retires the thread.
    const retire = (why: string) => {
      const at = this.slots.indexOf(slot);
      if (at < 0) return;
      this.slots.splice(at, 1);
      const pending = slot.pending;
      slot.pending = undefined;
      pending?.reject(this.closed ? new PoolClosedError("cancelled") : new Error(why));
      this.dispatch();
    };
    slot.worker.on("error", (e) => retire(`worker thread crashed: ${e.message}`));
    slot.worker.on("exit", (code) => retire(`worker thread exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  /** Stops every thread at once; images queued or in progress are rejected with PoolClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new PoolClosedError("cancelled"));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
