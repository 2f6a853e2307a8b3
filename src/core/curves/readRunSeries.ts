/**
 * Reads a run's metrics into a RunSeries. Fast path: the record files
 * (metrics.train.f64, metrics.eval.f64), when they agree with the last line
 * of metrics.jsonl. Otherwise (runs from before the record files, a crash
 * between two appends) every line of metrics.jsonl is parsed. Torn or
 * unreadable lines are skipped, as everywhere else.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricRow } from "../../protocol/runFiles";
import { findLastJsonLine } from "../run/jsonLinesTail";
import { decodeRecords, RECORD_FILES, type RecordTable } from "../run/metricRecords";
import { Columns } from "./columns";
import { RunSeries } from "./runSeries";

const NEWLINE = 0x0a;
const TAIL_BYTES = 64 * 1024;

export interface ReadResult {
  series: RunSeries;
  /** Bytes of metrics.jsonl covered (its complete lines), so a follower can read on from there. */
  offset: number;
  fastPath: boolean;
}

/** Every complete line of `bytes` from `start`; returns the offset after the last complete line. */
export function appendLines(series: RunSeries, bytes: Buffer, start = 0): number {
  let at = start;
  for (;;) {
    const end = bytes.indexOf(NEWLINE, at);
    if (end < 0) return at;
    if (end > at) {
      try {
        series.append(JSON.parse(bytes.toString("utf8", at, end)) as MetricRow);
      } catch {
        // A torn or foreign line.
      }
    }
    at = end + 1;
  }
}

function readRecords<T extends RecordTable>(runDir: string, table: T) {
  try {
    return decodeRecords(table, fs.readFileSync(path.join(runDir, RECORD_FILES[table])));
  } catch {
    return undefined;
  }
}

/** The length of the file's complete lines (a line being appended is not one yet). */
function completeLength(file: string, size: number): number {
  const fd = fs.openSync(file, "r");
  try {
    const length = Math.min(size, TAIL_BYTES);
    const tail = Buffer.alloc(length);
    fs.readSync(fd, tail, 0, length, size - length);
    return size - length + tail.lastIndexOf(NEWLINE) + 1;
  } finally {
    fs.closeSync(fd);
  }
}

const isRow = (v: unknown) => {
  const kind = (v as { kind?: unknown } | null)?.kind;
  return (kind === "train" || kind === "eval") && typeof (v as { step?: unknown }).step === "number";
};

export function readRunSeries(runDir: string): ReadResult {
  const file = path.join(runDir, "metrics.jsonl");
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { series: new RunSeries(), offset: 0, fastPath: false };
  }
  const train = readRecords(runDir, "train");
  const evals = readRecords(runDir, "eval");
  if (train && evals) {
    const last = findLastJsonLine<MetricRow>(file, isRow, TAIL_BYTES);
    const lastStep = (t: { count: number; columns: { step: Float64Array } }) => (t.count ? t.columns.step[t.count - 1]! : undefined);
    const [own, other] = last?.kind === "eval" ? [evals, train] : [train, evals];
    const agree = last ? lastStep(own) === last.step && (lastStep(other) ?? -Infinity) <= last.step : train.count === 0 && evals.count === 0;
    if (agree) {
      const series = new RunSeries(new Columns(train), new Columns(evals));
      return { series, offset: size ? completeLength(file, size) : 0, fastPath: true };
    }
  }
  const series = new RunSeries();
  return { series, offset: appendLines(series, fs.readFileSync(file)), fastPath: false };
}
