/**
 * IDX files, the format MNIST and Fashion-MNIST are published in
 * (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number (0, 0, dtype,
 * number of dimensions), one big-endian uint32 per dimension, then the data in
 * row-major order. Only dtype 0x08 (unsigned byte) is supported: that is what
 * every image and label file of these datasets uses. Files may be gzipped; that
 * is detected from the gzip magic bytes, not from the file name.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { promisify } from "node:util";
import type { ImageDataset } from "./dataset";

const gunzip = promisify(zlib.gunzip);

/** IDX dtype codes (third magic byte). */
const DTYPE_NAMES: Record<number, string> = {
  0x08: "uint8",
  0x09: "int8",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};
const UINT8 = 0x08;

export interface IdxArray {
  shape: number[];
  /** The uint8 data, row-major, product(shape) bytes. */
  data: Uint8Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parse the (already decompressed) bytes of a uint8 IDX file. `file` is only used in error messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail = (what: string) => new Error(`${file}: not a valid IDX file: ${what}`);
  if (bytes.length < 4) throw fail(`truncated: ${bytes.length} bytes, too short for the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw fail(`wrong magic number ${hex} (an IDX file starts with 00 00 <dtype> <ndims>)`);
  }
  const dtype = bytes[2]!;
  const ndims = bytes[3]!;
  if (dtype !== UINT8) {
    const name = DTYPE_NAMES[dtype] ?? "unknown";
    throw fail(`dtype 0x${dtype.toString(16).padStart(2, "0")} (${name}) is not supported, only 0x08 (uint8)`);
  }
  if (ndims === 0) throw fail("0 dimensions");
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw fail(`truncated: ${bytes.length} bytes, the header of a ${ndims}-dimensional file needs ${headerBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const expected = shape.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw fail(`truncated: shape [${shape.join(", ")}] needs ${expected} data bytes, the file has ${actual}`);
  }
  if (actual > expected) {
    throw fail(`${actual - expected} unexpected bytes after the data of shape [${shape.join(", ")}]`);
  }
  return { shape, data: bytes.subarray(headerBytes) };
}

/** Encode a uint8 array as IDX bytes (uncompressed). */
export function encodeIdx(shape: number[], data: Uint8Array): Uint8Array {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`encodeIdx: shape [${shape.join(", ")}] needs ${expected} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * shape.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UINT8;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/** Read an IDX file, gunzipping it first when it starts with the gzip magic bytes. */
export async function readIdxFile(file: string): Promise<IdxArray> {
  let raw: Uint8Array;
  try {
    raw = await fs.promises.readFile(file);
  } catch (e) {
    throw new Error(`${file}: cannot read the IDX file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (isGzip(raw)) {
    try {
      raw = await gunzip(raw);
    } catch (e) {
      throw new Error(`${file}: corrupt or truncated gzip data (${(e as Error).message})`);
    }
  }
  return parseIdx(raw, file);
}

/**
 * Load an IDX image file ([N, H, W] grayscale, or [N, H, W, C] with C 1 or 3)
 * and optionally its IDX label file ([N]). Class names are the label values
 * "0".."max" unless given.
 */
export async function loadIdxImages(
  imagesFile: string,
  labelsFile?: string,
  classNames?: string[],
): Promise<ImageDataset> {
  const images = await readIdxFile(imagesFile);
  const s = images.shape;
  const layout = `shape [${s.join(", ")}]`;
  if (s.length !== 3 && s.length !== 4) {
    throw new Error(`${imagesFile}: expected an image file of shape [N, H, W] or [N, H, W, C], got ${layout}`);
  }
  const channels = s.length === 4 ? s[3]! : 1;
  if (channels !== 1 && channels !== 3) throw new Error(`${imagesFile}: images must have 1 or 3 channels, ${layout}`);
  const [count, height, width] = s as [number, number, number];
  if (count === 0 || height === 0 || width === 0) throw new Error(`${imagesFile}: no images (${layout})`);
  const dataset: ImageDataset = { source: imagesFile, count, height, width, channels, pixels: images.data };
  if (labelsFile !== undefined) {
    const labels = await readIdxFile(labelsFile);
    if (labels.shape.length !== 1) {
      throw new Error(`${labelsFile}: expected a label file of shape [N], got shape [${labels.shape.join(", ")}]`);
    }
    if (labels.shape[0] !== count) {
      throw new Error(`${labelsFile}: label count ${labels.shape[0]} != image count ${count} in ${imagesFile}`);
    }
    let max = 0;
    for (const l of labels.data) if (l > max) max = l;
    const names = classNames ?? Array.from({ length: max + 1 }, (_, i) => String(i));
    if (max >= names.length) {
      throw new Error(`${labelsFile}: label ${max} is out of range for ${names.length} class names`);
    }
    dataset.labels = Int32Array.from(labels.data);
    dataset.classNames = names;
  }
  return dataset;
}
