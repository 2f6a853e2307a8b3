/**
 * The table's columns: what each shows and how it sorts. No DOM here, so
 * the sorting is tested in plain Node.
 */
import type { CheckpointRow } from "../../src/protocol/checkpointBrowser";

export interface Column {
  key: string;
  title: string;
  /** What sorts; undefined (not measured) always sorts last. */
  value(r: CheckpointRow): number | string | undefined;
  text(r: CheckpointRow): string;
  numeric: boolean;
  /** Shown only when the rows come from several runs. */
  allRunsOnly?: boolean;
}

export type SortDirection = "ascending" | "descending";
export interface SortState {
  key: string;
  direction: SortDirection;
}

const percent = (x: number | undefined) => (x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatLoss(loss: number | undefined): string {
  if (loss === undefined) return "—";
  return Math.abs(loss) >= 100 ? loss.toFixed(1) : loss.toPrecision(4);
}

/** "2026-03-01 14:05:09" in the viewer's time zone; the ISO text when it does not parse. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso || "—";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export const COLUMNS: Column[] = [
  { key: "run", title: "Run", value: (r) => r.runId, text: (r) => r.runId, numeric: false, allRunsOnly: true },
  { key: "checkpoint", title: "Checkpoint", value: (r) => r.step, text: (r) => r.label, numeric: false },
  { key: "epoch", title: "Epoch", value: (r) => r.epoch, text: (r) => String(r.epoch), numeric: true },
  { key: "step", title: "Step", value: (r) => r.step, text: (r) => String(r.step), numeric: true },
  { key: "time", title: "Saved", value: (r) => r.savedAt || undefined, text: (r) => formatTime(r.savedAt), numeric: false },
  { key: "loss", title: "Loss", value: (r) => r.loss, text: (r) => formatLoss(r.loss), numeric: true },
  { key: "knn", title: "kNN", value: (r) => r.knn, text: (r) => percent(r.knn), numeric: true },
  { key: "linear", title: "Linear", value: (r) => r.linear, text: (r) => percent(r.linear), numeric: true },
  { key: "rotation", title: "Rotation", value: (r) => r.rotation, text: (r) => percent(r.rotation), numeric: true },
  { key: "size", title: "Size", value: (r) => r.bytes, text: (r) => formatBytes(r.bytes), numeric: true },
  { key: "backend", title: "Backend", value: (r) => r.backend, text: (r) => r.backend, numeric: false },
];

/** The rows in `sort`'s order (a stable sort; unmeasured values last either way), or as given without one. */
export function sortRows(rows: readonly CheckpointRow[], sort: SortState | undefined): CheckpointRow[] {
  const column = sort && COLUMNS.find((c) => c.key === sort.key);
  if (!column) return [...rows];
  const sign = sort!.direction === "ascending" ? 1 : -1;
  return rows
    .map((row, i) => ({ row, i, v: column.value(row) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) return a.v === b.v ? a.i - b.i : a.v === undefined ? 1 : -1;
      const c = typeof a.v === "number" && typeof b.v === "number" ? a.v - b.v : String(a.v).localeCompare(String(b.v));
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((x) => x.row);
}

/** A header click: that column ascending, or the other way round if it already sorts. */
export function nextSort(current: SortState | undefined, key: string): SortState {
  return current?.key === key ? { key, direction: current.direction === "ascending" ? "descending" : "ascending" } : { key, direction: "ascending" };
}
