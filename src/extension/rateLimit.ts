/** Limits how often the tree is told to repaint. */

/** Coalesces bursts (a checkpoint touches several watched files at once) into one call after a quiet spell. */
export function debounce(fn: () => void, ms: number): { (): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
  call.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return call;
}

/**
 * At most one call per `ms` for each key, the last one always delivered.
 * Live progress needs this rather than a debounce: VS Code restarts its own
 * 200 ms debounce of tree events on every event, so a row refreshed on every
 * fast training step would never repaint.
 */
export function throttleByKey(fn: (key: string) => void, ms: number): { (key: string): void; cancel(): void } {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const last = new Map<string, number>();
  const call = (key: string) => {
    if (timers.has(key)) return; // a trailing call is already due and will see the latest state
    const wait = Math.max(0, (last.get(key) ?? -Infinity) + ms - Date.now());
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        last.set(key, Date.now());
        fn(key);
      }, wait),
    );
  };
  call.cancel = () => {
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
  return call;
}
