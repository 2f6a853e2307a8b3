/** The panel's numbers as text, and the tiles' display size. No DOM: unit-tested in Node. */

/**
 * Display scale of a tile: an integer nearest-neighbour factor that brings a
 * smaller image's longer side near `target` px (crisp pixels), or the
 * fraction that shrinks a larger image to `target`.
 */
export function tileScale(width: number, height: number, target = 320): number {
  const side = Math.max(1, width, height);
  if (side > target) return target / side;
  return Math.max(1, Math.floor(target / side));
}

/** The longest side a tile may have so that the six fit `available` px across: three columns when wide, two when not. */
export function tileTarget(available: number, gap = 12): number {
  const columns = available >= 900 ? 3 : available >= 300 ? 2 : 1;
  return Math.max(96, Math.min(360, Math.floor((available - gap * (columns - 1)) / columns)));
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "?";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "?";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m ${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "–";
}

/** What each stage of SaliencyCut is, for the timings' tooltips. */
export const STAGE_NAMES: Record<string, string> = {
  resize: "resize to the working scale",
  quantize: "colour quantisation",
  hc: "histogram contrast",
  segment: "graph-based regions (Felzenszwalb–Huttenlocher)",
  rc: "region contrast",
  grabcut: "iterated GrabCut",
  regions: "the object's regions",
  restore: "back to the image's size",
};
