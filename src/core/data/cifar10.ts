/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html):
 * data_batch_1..5.bin (train) and test_batch.bin (test), each a sequence of
 * 3073-byte records: 1 label byte, then the 32x32 image as three 1024-byte
 * planes (R, G, B; CHW). Images are converted to HWC. Class names come from
 * batches.meta.txt when it is there, else the standard ten.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ImageDataset, LoadedData } from "./dataset";

export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = "test_batch.bin";

const SIDE = 32;
const PLANE = SIDE * SIDE;
const IMAGE = 3 * PLANE;
const RECORD = 1 + IMAGE;

/** The folder that holds the batches: `dir` itself, or the `cifar-10-batches-bin` folder the archive unpacks to. */
export function cifar10BatchDir(dir: string): string {
  const nested = path.join(dir, "cifar-10-batches-bin");
  if (!fs.existsSync(path.join(dir, CIFAR10_TEST_FILE)) && fs.existsSync(path.join(nested, CIFAR10_TEST_FILE))) {
    return nested;
  }
  return dir;
}

/** Class names from batches.meta.txt (one per line) if present, else the standard ten. */
export async function readCifar10ClassNames(dir: string): Promise<string[]> {
  const file = path.join(dir, "batches.meta.txt");
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [...CIFAR10_CLASSES];
    throw new Error(`${file}: cannot read the class names (${(e as Error).message})`);
  }
  const names = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (names.length !== 10) throw new Error(`${file}: expected 10 class names (one per line), found ${names.length}`);
  return names;
}

/** Decode the records of several batch files into one dataset (HWC pixels). */
export async function readCifar10Batches(files: string[], classNames: string[]): Promise<ImageDataset> {
  const buffers: Uint8Array[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await fs.promises.readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === "ENOENT"
          ? `${file}: CIFAR-10 batch is missing (expected ${CIFAR10_TRAIN_FILES.join(", ")} and ${CIFAR10_TEST_FILE})`
          : `${file}: cannot read the CIFAR-10 batch (${code ?? (e as Error).message})`,
      );
    }
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new Error(
        `${file}: truncated or not a CIFAR-10 binary batch: ${bytes.length} bytes is not a whole number of ` +
          `${RECORD}-byte records (1 label byte + 3072 pixel bytes)`,
      );
    }
    buffers.push(bytes);
  }
  const count = buffers.reduce((n, b) => n + b.length / RECORD, 0);
  const pixels = new Uint8Array(count * IMAGE);
  const labels = new Int32Array(count);
  let n = 0;
  for (let f = 0; f < buffers.length; f++) {
    const bytes = buffers[f]!;
    for (let r = 0; r < bytes.length; r += RECORD, n++) {
      const label = bytes[r]!;
      if (label >= classNames.length) {
        throw new Error(`${files[f]}: record ${r / RECORD} has label ${label}, expected 0..${classNames.length - 1}`);
      }
      labels[n] = label;
      const src = r + 1;
      const dst = n * IMAGE;
      for (let p = 0; p < PLANE; p++) {
        pixels[dst + 3 * p] = bytes[src + p]!;
        pixels[dst + 3 * p + 1] = bytes[src + PLANE + p]!;
        pixels[dst + 3 * p + 2] = bytes[src + 2 * PLANE + p]!;
      }
    }
  }
  return {
    source: files.length === 1 ? files[0]! : path.dirname(files[0]!),
    count,
    height: SIDE,
    width: SIDE,
    channels: 3,
    pixels,
    labels,
    classNames,
  };
}

/** Load CIFAR-10 from its folder: data_batch_1..5.bin as train, test_batch.bin as test. */
export async function loadCifar10(dir: string): Promise<LoadedData> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`${dir}: CIFAR-10 folder does not exist`);
  }
  const batchDir = cifar10BatchDir(dir);
  const classNames = await readCifar10ClassNames(batchDir);
  const train = await readCifar10Batches(
    CIFAR10_TRAIN_FILES.map((f) => path.join(batchDir, f)),
    classNames,
  );
  const test = await readCifar10Batches([path.join(batchDir, CIFAR10_TEST_FILE)], classNames);
  return { train, test, skipped: [] };
}
