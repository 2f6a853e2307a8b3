/** Checks on run folders as a person would make them: read the files, compare sizes. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import type { CheckpointMeta } from "../../../src/protocol/runFiles";

/**
 * A checkpoint folder is usable: meta.json reads, tensors.bin and tensors.json
 * have the sizes meta.json records, the index covers tensors.bin exactly
 * (float32), and every value is finite.
 */
export function assertValidCheckpoint(dir: string): CheckpointMeta {
  const metaFile = path.join(dir, "meta.json");
  assert.ok(fs.existsSync(metaFile), `${metaFile} is missing`);
  const meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as CheckpointMeta;
  assert.ok(Number.isFinite(meta.epoch) && Number.isFinite(meta.step), `${metaFile}: epoch/step are not numbers`);
  for (const [name, size] of Object.entries(meta.files ?? {})) {
    const f = path.join(dir, name);
    assert.ok(fs.existsSync(f), `${f} is missing (meta.json lists it)`);
    assert.equal(fs.statSync(f).size, size, `${f}: size differs from meta.json`);
  }
  const bin = fs.readFileSync(path.join(dir, "tensors.bin"));
  assert.equal(bin.byteLength, meta.files["tensors.bin"], `${dir}/tensors.bin: size differs from meta.json`);
  const index = JSON.parse(fs.readFileSync(path.join(dir, "tensors.json"), "utf8")) as { name: string; shape: number[]; offset: number }[];
  let elements = 0;
  for (const e of index) {
    assert.equal(e.offset, elements, `${dir}/tensors.json: ${e.name} does not start where the previous tensor ends`);
    elements += e.shape.reduce((a, b) => a * b, 1);
  }
  assert.equal(elements * 4, bin.byteLength, `${dir}: tensors.json describes ${elements} float32 values, tensors.bin holds ${bin.byteLength} bytes`);
  const values = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  assert.ok(values.every(Number.isFinite), `${dir}/tensors.bin holds NaN or infinite values`);
  return meta;
}

export function readSummary(runDir: string): Record<string, unknown> {
  const file = path.join(runDir, "summary.json");
  assert.ok(fs.existsSync(file), `${file} is missing`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** "65.0%": how the extension shows a kNN fraction. */
export const percent = (fraction: unknown) => `${((fraction as number) * 100).toFixed(1)}%`;
