/**
 * Turns the raw failures of a backend into a reason a user can act on. The
 * wasm backend's heap stops near 2 GB; past it allocations fail deep inside
 * WebAssembly with "memory access out of bounds", "table index is out of
 * bounds" or "Aborted()".
 */
export function explainBackendError(error: unknown, backend: string): string {
  const e = error as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(error);
  if (e?.code === "ENOSPC") return `disk full while writing ${e.path ?? "run files"}: the last complete checkpoint is kept; free space and resume`;
  if (backend === "wasm" && /memory access out of bounds|table index is out of bounds|Aborted\(|Out of memory|Cannot enlarge memory/i.test(message)) {
    return `the wasm backend ran out of memory (its heap is limited to about 2 GB): set train.microBatch (e.g. 32) to back-propagate the batch in chunks, or lower train.batchSize, model.width or imageSize, or use a native backend (see ssl-studio doctor) [${message}]`;
  }
  return message;
}
