/**
 * Checkpoints: named tensors (weights, BatchNorm statistics, optimiser slots)
 * as one little-endian float32 file plus a JSON index, and meta.json. A
 * checkpoint is built in a temporary folder and renamed into place, and
 * meta.json is in it, so a folder under checkpoints/ with a meta.json is
 * complete by construction.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CheckpointMeta } from "../../protocol/runFiles";
import { fsyncDir, writeSynced } from "./atomicFile";

export interface NamedArray {
  name: string;
  shape: number[];
  values: Float32Array;
}

interface IndexEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements. */
  offset: number;
}

const TENSORS = "tensors.bin";
const INDEX = "tensors.json";
const META = "meta.json";

/** Writes checkpoints/<name>/ atomically and returns its path. An existing checkpoint of that name is replaced. */
export function saveCheckpoint(checkpointsDir: string, name: string, arrays: NamedArray[], meta: Omit<CheckpointMeta, "files">): string {
  fs.mkdirSync(checkpointsDir, { recursive: true });
  const final = path.join(checkpointsDir, name);
  const tmp = path.join(checkpointsDir, `.tmp-${name}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    const total = arrays.reduce((n, a) => n + a.values.length, 0);
    const data = new Float32Array(total);
    const index: IndexEntry[] = [];
    let offset = 0;
    for (const a of arrays) {
      data.set(a.values, offset);
      index.push({ name: a.name, shape: a.shape, offset });
      offset += a.values.length;
    }
    const bytes = new Uint8Array(data.buffer);
    const indexText = JSON.stringify(index);
    writeSynced(path.join(tmp, TENSORS), bytes);
    writeSynced(path.join(tmp, INDEX), indexText);
    const full: CheckpointMeta = { ...meta, files: { [TENSORS]: bytes.byteLength, [INDEX]: Buffer.byteLength(indexText) } };
    writeSynced(path.join(tmp, META), JSON.stringify(full, null, 2) + "\n");
    fsyncDir(tmp);
    if (fs.existsSync(final)) fs.rmSync(final, { recursive: true });
    fs.renameSync(tmp, final);
    fsyncDir(checkpointsDir);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return final;
}

/** meta.json of a checkpoint folder, or undefined while it is missing, half-written or not a checkpoint's. */
export function readCheckpointMeta(dir: string): CheckpointMeta | undefined {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, META), "utf8")) as CheckpointMeta;
    return Number.isFinite(meta?.epoch) && Number.isFinite(meta?.step) ? meta : undefined;
  } catch {
    return undefined;
  }
}

export interface CheckpointInfo {
  /** The folder name: "3" after epoch 3, or "3.17" for a stop 17 steps into epoch 4. */
  name: string;
  dir: string;
  meta: CheckpointMeta;
}

/**
 * Complete checkpoints of a run, oldest first. A folder counts once its
 * meta.json (written last) reads; anything else is being written or was abandoned.
 */
export function listCheckpoints(checkpointsDir: string): CheckpointInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(checkpointsDir).filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, dir: path.join(checkpointsDir, name), meta: readCheckpointMeta(path.join(checkpointsDir, name)) }))
    .filter((c): c is CheckpointInfo => c.meta !== undefined)
    .sort((a, b) => a.meta.step - b.meta.step);
}

/** Reads the tensors of a checkpoint, checking sizes against meta.json so a damaged file is an error, not bad weights. */
export function loadCheckpointArrays(dir: string): Map<string, NamedArray> {
  const meta = readCheckpointMeta(dir);
  if (!meta) throw new Error(`${dir}: not a complete checkpoint (no readable meta.json)`);
  const buf = fs.readFileSync(path.join(dir, TENSORS));
  if (buf.byteLength !== meta.files[TENSORS]) {
    throw new Error(`${path.join(dir, TENSORS)}: ${buf.byteLength} bytes, meta.json says ${meta.files[TENSORS]}`);
  }
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const index = JSON.parse(fs.readFileSync(path.join(dir, INDEX), "utf8")) as IndexEntry[];
  const arrays = new Map<string, NamedArray>();
  for (const e of index) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    arrays.set(e.name, { name: e.name, shape: e.shape, values: data.subarray(e.offset, e.offset + size) });
  }
  return arrays;
}

/** Keeps the newest `keep` checkpoints (0 = all); deletes older ones and stale temporary folders. */
export function pruneCheckpoints(checkpointsDir: string, keep: number): void {
  for (const n of fs.readdirSync(checkpointsDir)) {
    if (n.startsWith(".tmp-")) fs.rmSync(path.join(checkpointsDir, n), { recursive: true, force: true });
  }
  if (keep <= 0) return;
  const all = listCheckpoints(checkpointsDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(old.dir, { recursive: true, force: true });
}
