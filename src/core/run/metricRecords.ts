/**
 * metrics.train.f64 and metrics.eval.f64: the numbers of metrics.jsonl's
 * train and eval rows again, as fixed-size little-endian float64 records.
 * Parsing text numbers costs ~2 µs a row here, so a million-row
 * metrics.jsonl takes seconds to read; these files read in tens of
 * milliseconds and let the loss curves open a long run at once.
 * metrics.jsonl stays the record: readers use these files only when they
 * agree with its last line (a crash between the appends leaves them one
 * row apart), and a resume that drops rows rewrites all three.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EVAL_FIELDS, TRAIN_FIELDS, type EvalField, type MetricRow } from "../../protocol/runFiles";
import { writeFileAtomic } from "./atomicFile";

export const RECORD_FILES = { train: "metrics.train.f64", eval: "metrics.eval.f64" } as const;
export type RecordTable = keyof typeof RECORD_FILES;
const FIELDS = { train: TRAIN_FIELDS, eval: EVAL_FIELDS } as const;
export type TableField<T extends RecordTable> = (typeof FIELDS)[T][number];

type EvalRow = Extract<MetricRow, { kind: "eval" }>;

/** An eval row's numbers; a protocol that did not run is NaN. */
export function evalValues(row: EvalRow): Record<EvalField, number> {
  // The all-labels probe when there are several label fractions: the number papers report.
  const linear = row.linear?.find((l) => l.fraction === 1) ?? row.linear?.[row.linear.length - 1];
  return {
    step: row.step,
    epoch: row.epoch,
    time: row.time,
    knn: row.knn ?? NaN,
    linear: linear?.accuracy ?? NaN,
    rotation: row.rotation ?? NaN,
    collapseStd: row.collapse?.std ?? NaN,
  };
}

/** The records of the rows of one table (the rest are skipped). */
export function encodeRecords(rows: readonly MetricRow[], table: RecordTable): Buffer {
  const fields = FIELDS[table] as readonly string[];
  const kept = rows.filter((r) => r.kind === table);
  const out = Buffer.alloc(kept.length * fields.length * 8);
  kept.forEach((row, r) => {
    const values = (row.kind === "eval" ? evalValues(row) : row) as Record<string, number>;
    fields.forEach((f, i) => out.writeDoubleLE(values[f]!, (r * fields.length + i) * 8));
  });
  return out;
}

/** Columns of the complete records; a torn record at the end (a kill mid-append) is left out. */
export function decodeRecords<T extends RecordTable>(table: T, bytes: Uint8Array): { count: number; columns: Record<TableField<T>, Float64Array> } {
  const fields = FIELDS[table] as readonly string[];
  const size = fields.length * 8;
  const count = Math.floor(bytes.byteLength / size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * size);
  const cols = fields.map(() => new Float64Array(count));
  for (let r = 0, at = 0; r < count; r++) for (let i = 0; i < cols.length; i++, at += 8) cols[i]![r] = view.getFloat64(at, true);
  return { count, columns: Object.fromEntries(fields.map((f, i) => [f, cols[i]])) as Record<TableField<T>, Float64Array> };
}

/** Appends a row's record (after the row went into metrics.jsonl). */
export function appendRecord(runDir: string, row: MetricRow): void {
  if (row.kind === "train" || row.kind === "eval") fs.appendFileSync(path.join(runDir, RECORD_FILES[row.kind]), encodeRecords([row], row.kind));
}

/** Rewrites both record files from these rows (after metrics.jsonl was rewritten with them). */
export function writeRecords(runDir: string, rows: readonly MetricRow[]): void {
  for (const table of ["train", "eval"] as const) writeFileAtomic(path.join(runDir, RECORD_FILES[table]), encodeRecords(rows, table));
}
