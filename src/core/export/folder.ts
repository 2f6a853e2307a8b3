/**
 * An export folder written whole or not at all: its files go into a
 * temporary sibling, which is renamed into place (replacing an older export
 * of the same name), so a reader never sees a model.json whose weights are
 * still being written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ExportedFile } from "../../protocol/checkpointBrowser";
import { fsyncDir, writeSynced } from "../run/atomicFile";

export function writeFolderAtomic(outDir: string, files: { name: string; data: string | Uint8Array }[]): ExportedFile[] {
  const parent = path.dirname(outDir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${path.basename(outDir)}.tmp-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    for (const f of files) writeSynced(path.join(tmp, f.name), f.data);
    fsyncDir(tmp);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.renameSync(tmp, outDir);
    fsyncDir(parent);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return files.map((f) => ({ name: f.name, bytes: typeof f.data === "string" ? Buffer.byteLength(f.data) : f.data.byteLength }));
}
