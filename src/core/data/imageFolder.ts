/**
 * A folder of PNG/JPEG images, searched recursively, decoded with sharp and
 * resized to size x size (scale the short side, centre crop: fit "cover").
 *
 * Labels: when images sit in sub-folders, the first-level sub-folder is the
 * class (`root/cat/x.png`, `root/cat/more/y.jpg` are both "cat"; class names
 * sorted). When all images sit at the top the data is unlabelled. Images at the
 * top of a labelled folder are skipped (they have no class).
 *
 * Order: within a class, files sorted by relative path; classes are
 * interleaved round-robin (class 0's first, class 1's first, ..., class 0's
 * second, ...), so "the first N images" is a class-balanced subset.
 *
 * A corrupt or unreadable image is skipped and reported, never fatal. Decoding
 * runs a few images at a time so big folders do not exhaust memory.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import type { ImageDataset, SkippedFile } from "./dataset";

export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg"];

export interface ImageFolderOptions {
  /** Output side: every image becomes size x size. */
  size: number;
  /** 1 (grayscale, ITU-R 601 luma as PIL's convert("L")) or 3 (RGB, alpha dropped). Default 3. */
  channels?: 1 | 3;
  /** Images decoded at a time (default 4). */
  concurrency?: number;
  /** Use these class names (e.g. the training split's) instead of the folder's own; other classes are skipped. */
  classNames?: string[];
  /** Stop after this many readable images (the first ones in the order described above). */
  limit?: number;
  /** Called after each decoded (or skipped) image. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImageFolderResult {
  dataset: ImageDataset;
  skipped: SkippedFile[];
}

interface Candidate {
  file: string;
  /** Path relative to the root, "/"-separated. */
  rel: string;
  /** First-level sub-folder, undefined at the top. */
  cls?: string;
}

function isImageFile(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** Every PNG/JPEG under root (hidden files and folders excluded), plus the number of other files ignored. */
async function listImages(root: string): Promise<{ images: Candidate[]; ignored: number }> {
  const images: Candidate[] = [];
  let ignored = 0;
  const seenDirs = new Set<string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    const real = await fs.promises.realpath(dir);
    if (seenDirs.has(real)) return; // a symlink loop
    seenDirs.add(real);
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      if (e.name.startsWith(".")) continue;
      const full = path.join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const st = await fs.promises.stat(full).catch(() => undefined);
        isDir = st?.isDirectory() ?? false;
        isFile = st?.isFile() ?? false;
      }
      if (isDir) await walk(full, r);
      else if (isFile && isImageFile(e.name)) {
        const slash = r.indexOf("/");
        images.push({ file: full, rel: r, cls: slash < 0 ? undefined : r.slice(0, slash) });
      } else ignored++;
    }
  };
  await walk(root, "");
  return { images, ignored };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Class-interleaved order (see the file comment). */
function interleave(groups: Candidate[][]): Candidate[] {
  const out: Candidate[] = [];
  const longest = Math.max(0, ...groups.map((g) => g.length));
  for (let i = 0; i < longest; i++) for (const g of groups) if (i < g.length) out.push(g[i]!);
  return out;
}

/** Decode one image to size x size x channels uint8 HWC. Throws on a corrupt file. */
export async function decodeImage(file: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  const { data, info } = await sharp(file, { failOn: "warning" })
    .autoOrient()
    .resize(size, size, { fit: "cover", position: "centre" })
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size) {
    throw new Error(`decoded to ${info.width}x${info.height}, expected ${size}x${size}`);
  }
  const n = size * size;
  const c = info.channels;
  const out = new Uint8Array(n * channels);
  for (let p = 0; p < n; p++) {
    // Grayscale (+alpha) sources have 1-2 channels, RGB(A) 3-4; alpha is dropped.
    const r = data[p * c]!;
    const g = c >= 3 ? data[p * c + 1]! : r;
    const b = c >= 3 ? data[p * c + 2]! : r;
    if (channels === 3) {
      out[3 * p] = r;
      out[3 * p + 1] = g;
      out[3 * p + 2] = b;
    } else {
      out[p] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
  }
  return out;
}

/** A folder's images in dataset order, before decoding: what index i of the dataset is, if every file decodes. */
export interface ImageFolderListing {
  /** Candidates in the order described in the file comment. */
  order: { file: string; cls?: string }[];
  /** Sorted class names (or the ones given); undefined when the folder is unlabelled. */
  classNames?: string[];
  /** Files left out before decoding (no class, or a class not in `classNames`), sorted by path. */
  preSkipped: SkippedFile[];
  /** Non-image files ignored. */
  ignored: number;
}

/**
 * Lists and orders a folder's images without decoding them. The augmentation
 * preview uses it to decode only the images it shows; loadImageFolder decodes them all.
 */
export async function listImageFolder(root: string, options: { classNames?: string[] } = {}): Promise<ImageFolderListing> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(root);
  } catch {
    throw new Error(`${root}: image folder does not exist`);
  }
  if (!st.isDirectory()) throw new Error(`${root}: not a folder`);

  const { images, ignored } = await listImages(root);
  const labelled = images.some((c) => c.cls !== undefined);
  const ownClasses = [...new Set(images.flatMap((c) => (c.cls === undefined ? [] : [c.cls])))].sort(byString);
  const classNames = labelled ? (options.classNames ?? ownClasses) : undefined;

  let order: Candidate[];
  const preSkipped: SkippedFile[] = [];
  if (!labelled) {
    order = [...images].sort((a, b) => byString(a.rel, b.rel));
  } else {
    const groups = classNames!.map(() => [] as Candidate[]);
    for (const c of images) {
      const k = c.cls === undefined ? -1 : classNames!.indexOf(c.cls);
      if (c.cls === undefined) preSkipped.push({ file: c.file, reason: "not in a class sub-folder (the folder is labelled by sub-folder)" });
      else if (k < 0) preSkipped.push({ file: c.file, reason: `class "${c.cls}" is not one of the training classes` });
      else groups[k]!.push(c);
    }
    for (const g of groups) g.sort((a, b) => byString(a.rel, b.rel));
    order = interleave(groups);
    preSkipped.sort((a, b) => byString(a.file, b.file));
  }
  return { order, classNames, preSkipped, ignored };
}

/** Load a folder of images (see the file comment). Throws if the folder is missing or holds no readable image. */
export async function loadImageFolder(root: string, options: ImageFolderOptions): Promise<ImageFolderResult> {
  const { size, channels = 3, concurrency = 4, limit, onProgress } = options;
  const { order, classNames, preSkipped, ignored } = await listImageFolder(root, { classNames: options.classNames });
  const skipped: { index: number; file: string; reason: string }[] = [];

  const results: (Uint8Array | undefined)[] = new Array(order.length);
  let next = 0;
  let good = 0;
  let done = 0;
  const want = limit ?? Infinity;
  const worker = async () => {
    while (next < order.length && good < want) {
      const i = next++;
      const c = order[i]!;
      try {
        results[i] = await decodeImage(c.file, size, channels);
        good++;
      } catch (e) {
        const lines = String((e as Error).message ?? e).split("\n").map((l) => l.trim()).filter(Boolean);
        skipped.push({ index: i, file: c.file, reason: `cannot decode: ${lines.join("; ") || "unknown error"}` });
      }
      onProgress?.(++done, order.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, order.length)) }, worker));

  // The first `want` readable images in order; skips after the last one taken are not reported.
  const taken: number[] = [];
  for (let i = 0; i < order.length && taken.length < want; i++) if (results[i]) taken.push(i);
  const lastTaken = taken.length ? taken[taken.length - 1]! : order.length;
  const reported = [
    ...preSkipped,
    ...skipped
      .filter((s) => s.index < lastTaken || taken.length < want)
      .sort((a, b) => a.index - b.index)
      .map(({ file, reason }) => ({ file, reason })),
  ];

  if (taken.length === 0) {
    const why = reported.length
      ? `${reported.length} image file(s) skipped, first: ${reported[0]!.file}: ${reported[0]!.reason}`
      : `no .png/.jpg/.jpeg files found${ignored ? ` (${ignored} other file(s) ignored)` : ""}`;
    throw new Error(`${root}: no readable image in the folder: ${why}`);
  }

  const per = size * size * channels;
  const pixels = new Uint8Array(taken.length * per);
  taken.forEach((i, n) => pixels.set(results[i]!, n * per));
  const dataset: ImageDataset = { source: root, count: taken.length, height: size, width: size, channels, pixels, files: taken.map((i) => order[i]!.file) };
  if (classNames) {
    const labels = new Int32Array(taken.length);
    taken.forEach((i, n) => (labels[n] = classNames.indexOf(order[i]!.cls!)));
    dataset.labels = labels;
    dataset.classNames = classNames;
  }
  return { dataset, skipped: reported };
}
