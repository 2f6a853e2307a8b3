/**
 * A SaliencyCut worker thread (bundled as dist/saliencyWorker.js): computes
 * one image per message and posts back what the cache stores, transferring
 * the result buffers. OpenCV loads once per thread, on the first job.
 */
import { parentPort } from "node:worker_threads";
import { saliencyCut } from "../saliencyCut";
import type { SaliencyJob, SaliencyJobResult } from "./workerProtocol";

/** A typed array that owns its whole ArrayBuffer, so the buffer can be transferred without dragging along (or detaching) anything else. */
function owned(view: Uint8Array): Uint8Array<ArrayBuffer>;
function owned(view: Uint16Array): Uint16Array<ArrayBuffer>;
function owned(view: Uint8Array | Uint16Array): Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer> {
  const b = view.buffer;
  return b instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === b.byteLength ? (view as Uint8Array<ArrayBuffer>) : view.slice();
}

const port = parentPort;
if (!port) {
  console.error("dist/saliencyWorker.js is a worker thread of `ssl-studio cache build`; run that instead.");
  process.exit(2);
}
port.on("message", (job: SaliencyJob) => {
  saliencyCut(job.image, job.params).then(
    (r) => {
      const entry = { width: r.width, height: r.height, mask: owned(r.mask), regions: owned(r.regions), regionCount: r.regionCount };
      port.postMessage({ ok: true, entry } satisfies SaliencyJobResult, [entry.mask.buffer, entry.regions.buffer]);
    },
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies SaliencyJobResult),
  );
});
