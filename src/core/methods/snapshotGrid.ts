/**
 * A method's snapshot (SslMethod.snapshot) as a PNG grid: one row per image,
 * the snapshot's columns left to right (MAE: original, masked,
 * reconstruction), nearest-neighbour upscaled as the augmentation preview.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../run/atomicFile";
import { composeGrid } from "../augment/previewGrid";
import type { SnapshotColumn } from "./method";

export async function snapshotPng(columns: SnapshotColumn[], options: { scale?: number; gap?: number } = {}): Promise<Buffer> {
  const rows = Math.max(0, ...columns.map((c) => c.tiles.length));
  const tiles = Array.from({ length: rows }, (_, r) => columns.map((c) => c.tiles[r]!));
  return (await composeGrid(tiles, options)).png;
}

/** Written atomically: the checkpoint browser may read it while a run goes on. */
export async function writeSnapshotPng(file: string, columns: SnapshotColumn[], options: { scale?: number; gap?: number } = {}): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, await snapshotPng(columns, options));
}
