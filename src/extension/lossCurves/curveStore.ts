/**
 * The series of the runs the loss-curves panel shows, in memory at full
 * resolution. A run is read from its files once; after that a run this
 * window trains gets its rows from the trainer's messages (no file reads
 * while it is live), and a run trained elsewhere (a terminal, a task) is
 * followed by a file-system watch on metrics.jsonl, reading only the bytes
 * appended since. A file that shrank (a resume dropped rows) is read again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { appendLines, readRunSeries } from "../../core/curves/readRunSeries";
import type { RunSeries } from "../../core/curves/runSeries";
import type { ActiveRun, RunRegistry } from "../runRegistry";

interface Entry {
  series: RunSeries;
  /** Bytes of metrics.jsonl read so far (for the file follower). */
  offset: number;
  watcher?: fs.FSWatcher;
}

const key = (runDir: string) => path.resolve(runDir);

export class CurveStore {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(runDir: string) => void>();
  /** Live runs whose file was already re-read after their trainer started (a resume truncates it). */
  private readonly started = new WeakSet<ActiveRun>();
  private readonly registrySub: { dispose(): void };

  constructor(private readonly registry: RunRegistry) {
    this.registrySub = registry.onChange((c) => {
      if (!c.run.runDir) return;
      const k = key(c.run.runDir);
      const entry = this.entries.get(k);
      if (!entry) return;
      if (c.kind === "metric") {
        if (entry.series.append(c.row)) this.changed(k);
      } else if (!this.started.has(c.run)) {
        this.started.add(c.run);
        this.load(k);
        this.changed(k);
      }
    });
  }

  /** Called with the run folder whenever its series grew or was read again. */
  onChange(listener: (runDir: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  get(runDir: string): RunSeries {
    const k = key(runDir);
    return (this.entries.get(k) ?? this.load(k)).series;
  }

  /** Follows a run trained outside this window while it runs; stops following when `running` is false. */
  follow(runDir: string, running: boolean): void {
    const k = key(runDir);
    const entry = this.entries.get(k) ?? this.load(k);
    const driven = this.registry.byRunDir(k) !== undefined;
    if (running && !driven && !entry.watcher) {
      try {
        entry.watcher = fs.watch(path.join(k, "metrics.jsonl"), () => this.readAppended(k));
      } catch {
        // No metrics.jsonl yet: the next refresh of the run list tries again.
      }
    } else if ((!running || driven) && entry.watcher) {
      entry.watcher.close();
      entry.watcher = undefined;
    }
  }

  /** Forgets the runs not in `keep` (a panel no longer shows them). */
  retain(keep: readonly string[]): void {
    const wanted = new Set(keep.map(key));
    for (const [k, entry] of this.entries) {
      if (wanted.has(k)) continue;
      entry.watcher?.close();
      this.entries.delete(k);
    }
  }

  dispose(): void {
    this.registrySub.dispose();
    this.retain([]);
    this.listeners.clear();
  }

  private load(k: string): Entry {
    const { series, offset } = readRunSeries(k);
    const old = this.entries.get(k);
    const entry: Entry = { series, offset, watcher: old?.watcher };
    // The file already holds what the trainer wrote so far: its next state change needs no second read.
    const live = this.registry.byRunDir(k);
    if (live) this.started.add(live);
    this.entries.set(k, entry);
    return entry;
  }

  private readAppended(k: string): void {
    const entry = this.entries.get(k);
    if (!entry) return;
    const file = path.join(k, "metrics.jsonl");
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      return;
    }
    if (size < entry.offset) {
      this.load(k);
    } else if (size > entry.offset) {
      const fd = fs.openSync(file, "r");
      try {
        const bytes = Buffer.alloc(size - entry.offset);
        fs.readSync(fd, bytes, 0, bytes.length, entry.offset);
        entry.offset += appendLines(entry.series, bytes);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      return;
    }
    this.changed(k);
  }

  private changed(k: string): void {
    for (const l of this.listeners) l(k);
  }
}
