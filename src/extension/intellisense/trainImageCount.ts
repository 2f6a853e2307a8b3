/**
 * How many training images an experiment has, told without decoding any
 * (the extension host never loads sharp): IDX headers, CIFAR-10 batch sizes,
 * image files in a folder. It may count a file the loader would skip as
 * unreadable; it is for "the cache has 11 of 12 images", not for training.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import type { Experiment } from "../../core/config/schema";

const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];
/** Beyond this many files a folder is not counted (undefined): the advice must stay cheap. */
const MAX_FILES = 200_000;
/** One CIFAR-10 image: a label byte and 32x32x3 pixels. */
const CIFAR_RECORD = 1 + 32 * 32 * 3;

/** The item count in an IDX file's header (gzipped or not), reading its first bytes only. */
export function idxCount(file: string): number | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, "r");
    const head = Buffer.alloc(4096);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    let bytes = head.subarray(0, n);
    // A sync flush inflates what the first bytes hold instead of failing on the cut-off stream.
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0 ? bytes.readUInt32BE(4) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Image files under a folder, as the folder loader sees them: in a labelled folder (images in sub-folders) the top-level ones are skipped. */
export function folderImageCount(root: string): number | undefined {
  let top = 0;
  let nested = 0;
  let seen = 0;
  const walk = (dir: string, depth: number): boolean => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return depth > 0;
    }
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      if (++seen > MAX_FILES) return false;
      if (e.isDirectory()) {
        if (!walk(path.join(dir, e.name), depth + 1)) return false;
      } else if (IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase())) {
        if (depth === 0) top++;
        else nested++;
      }
    }
    return true;
  };
  if (!walk(root, 0)) return undefined;
  return nested > 0 ? nested : top;
}

function cifarCount(dir: string): number | undefined {
  try {
    const batches = fs.readdirSync(dir).filter((n) => /^data_batch_\d+\.bin$/.test(n));
    if (!batches.length) return undefined;
    return batches.reduce((sum, n) => sum + Math.floor(fs.statSync(path.join(dir, n)).size / CIFAR_RECORD), 0);
  } catch {
    return undefined;
  }
}

/**
 * Training images of a config (after `limit.train`), or undefined when they
 * cannot be counted cheaply. `packageRoot` holds the embedded datasets (examples/data/).
 */
export function trainImageCount(config: Experiment, experimentDir: string, packageRoot: string): number | undefined {
  const d = config.dataset;
  let count: number | undefined;
  switch (d.format) {
    case "embedded":
      count = idxCount(path.join(packageRoot, "examples", "data", d.name, "train-images-idx3-ubyte.gz"));
      break;
    case "idx":
      count = idxCount(path.resolve(experimentDir, d.trainImages));
      break;
    case "cifar10":
      count = cifarCount(path.resolve(experimentDir, d.dir));
      break;
    case "folder":
      count = folderImageCount(path.resolve(experimentDir, d.train));
      break;
  }
  const limit = config.limit?.train;
  return count !== undefined && limit !== undefined ? Math.min(count, limit) : count;
}
