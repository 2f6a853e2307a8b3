/**
 * A run's folder: runs/<experiment>/<runId>/ with config.json, metrics.jsonl,
 * events.jsonl, checkpoints/ and summary.json. One folder per run, never
 * reused for another run; a resume continues the same folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricRow, RunEvent, RunEventType, RunSummary } from "../protocol/runFiles";
import { appendJsonLine, readJsonLines, writeFileAtomic, writeJsonAtomic } from "../core/run/atomicFile";
import { appendRecord, writeRecords } from "../core/run/metricRecords";

export class RunDir {
  readonly checkpointsDir: string;

  private constructor(
    readonly dir: string,
    private readonly onEvent: (event: RunEvent) => void,
  ) {
    this.checkpointsDir = path.join(dir, "checkpoints");
  }

  get runId(): string {
    return path.basename(this.dir);
  }

  /** A new, uniquely named run folder holding the resolved config. */
  static create(experimentRunsDir: string, config: unknown, onEvent: (e: RunEvent) => void, now = new Date()): RunDir {
    fs.mkdirSync(experimentRunsDir, { recursive: true });
    const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    for (let i = 0; ; i++) {
      const dir = path.join(experimentRunsDir, i === 0 ? stamp : `${stamp}-${i}`);
      try {
        fs.mkdirSync(dir); // fails if it exists: two runs started in the same second get distinct folders
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
        throw e;
      }
      const run = new RunDir(dir, onEvent);
      writeJsonAtomic(path.join(dir, "config.json"), config);
      return run;
    }
  }

  static open(dir: string, onEvent: (e: RunEvent) => void): RunDir {
    if (!fs.existsSync(path.join(dir, "config.json"))) throw new Error(`${dir}: not a run folder (no config.json)`);
    return new RunDir(path.resolve(dir), onEvent);
  }

  get configFile(): string {
    return path.join(this.dir, "config.json");
  }

  event(type: RunEventType, message: string, data?: Record<string, unknown>): void {
    const event: RunEvent = { at: new Date().toISOString(), type, message, ...(data ? { data } : {}) };
    appendJsonLine(path.join(this.dir, "events.jsonl"), event);
    this.onEvent(event);
  }

  metric(row: MetricRow): void {
    appendJsonLine(path.join(this.dir, "metrics.jsonl"), row);
    appendRecord(this.dir, row);
  }

  metrics(): MetricRow[] {
    return readJsonLines<MetricRow>(path.join(this.dir, "metrics.jsonl"));
  }

  /** On resume: drop the rows logged after the checkpoint, since those steps are trained again. */
  truncateMetricsAfter(step: number): void {
    const kept = this.metrics().filter((r) => r.step <= step);
    writeFileAtomic(path.join(this.dir, "metrics.jsonl"), kept.map((r) => JSON.stringify(r) + "\n").join(""));
    writeRecords(this.dir, kept);
  }

  summary(): RunSummary | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, "summary.json"), "utf8")) as RunSummary;
    } catch {
      return undefined;
    }
  }

  writeSummary(summary: RunSummary): void {
    writeJsonAtomic(path.join(this.dir, "summary.json"), summary);
  }
}
