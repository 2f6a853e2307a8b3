/**
 * The bytes of one cache entry file, self-describing so that a lost manifest
 * can be rebuilt from the entries alone:
 *
 *   0  "SSLSALC1"                 magic (8 bytes)
 *   8  u32le H                    header length
 *  12  u32le P                    payload length
 *  16  u32le crc32                over bytes 20 .. 20+H+P (header and payload)
 *  20  header                     UTF-8 JSON, EntryHeader
 *  20+H payload                   zlib deflate of regions (u16le, width*height) then mask (u8 0/1, width*height)
 *
 * Regions come first so that, inflated into one buffer, the Uint16Array view
 * is aligned whatever the pixel count. Any truncation, extra bytes or flipped
 * bit fails the length or crc check, and every field is validated on decode.
 * Little-endian hosts are assumed (every platform Node ships for).
 */
import * as zlib from "node:zlib";
import type { SaliencyParams } from "../../config/saliencySchema";

/** Which dataset image an entry was computed for (the first one, when several have the same pixels). */
export interface ImageRef {
  /** Index in the training split. */
  index: number;
  /** The source file, for image-folder datasets. */
  file?: string;
}

/** What names a result and where it came from: shared by entries and recorded failures. */
export interface EntryIdentity {
  key: string;
  pixelHash: string;
  params: SaliencyParams;
  version: number;
  image: ImageRef;
}

export interface EntryHeader extends EntryIdentity {
  width: number;
  height: number;
  regionCount: number;
}

/** A cached SaliencyCut result: what training needs of SaliencyResult. */
export interface CacheEntry {
  width: number;
  height: number;
  /** 1 = salient object, 0 = background. */
  mask: Uint8Array;
  /** 0 = background, 1..regionCount = the object's regions. */
  regions: Uint16Array;
  regionCount: number;
}

export class CorruptEntryError extends Error {
  override name = "CorruptEntryError";
}

const MAGIC = Buffer.from("SSLSALC1", "latin1");
export const PREFIX_BYTES = 20;

/** What is wrong with a result for a width x height image, if anything. */
export function resultProblem(entry: CacheEntry, width: number, height: number): string | undefined {
  if (entry.width !== width || entry.height !== height) return `SaliencyCut returned ${entry.width}x${entry.height} for a ${width}x${height} image`;
  const n = width * height;
  if (entry.mask?.length !== n || entry.regions?.length !== n) return `mask (${entry.mask?.length}) and regions (${entry.regions?.length}) must both have ${width}x${height} = ${n} values`;
  if (!Number.isInteger(entry.regionCount) || entry.regionCount < 0 || entry.regionCount > 0xffff) return `region count ${entry.regionCount} is not in 0..65535`;
  return undefined;
}

export function encodeEntry(header: EntryHeader, entry: CacheEntry): Buffer {
  const problem = resultProblem(entry, header.width, header.height);
  if (problem) throw new Error(problem);
  const n = entry.width * entry.height;
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const raw = Buffer.concat([Buffer.from(entry.regions.buffer, entry.regions.byteOffset, entry.regions.byteLength), Buffer.from(entry.mask.buffer, entry.mask.byteOffset, n)]);
  const payload = zlib.deflateSync(raw);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(json.length, 8);
  prefix.writeUInt32LE(payload.length, 12);
  prefix.writeUInt32LE(zlib.crc32(payload, zlib.crc32(json)), 16);
  return Buffer.concat([prefix, json, payload]);
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
const isHex = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);

/** Checks the shape of parsed identity fields (from a file or a manifest line); returns a reason when they are wrong. */
export function identityProblem(h: Partial<EntryIdentity> | null): string | undefined {
  if (h === null || typeof h !== "object") return "not an object";
  if (!isHex(h.key) || !isHex(h.pixelHash)) return "no valid key or pixel hash";
  if (h.params === null || typeof h.params !== "object") return "no params";
  if (!isCount(h.version)) return "no valid version";
  if (h.image === null || typeof h.image !== "object" || !isCount(h.image.index)) return "no valid image index";
  return undefined;
}

export function headerProblem(h: Partial<EntryHeader> | null): string | undefined {
  const problem = identityProblem(h);
  if (problem) return problem;
  if (!isCount(h!.width) || !isCount(h!.height) || h!.width === 0 || h!.height === 0) return "no valid size";
  if (!isCount(h!.regionCount) || h!.regionCount > 0xffff) return "no valid region count";
  return undefined;
}

function prefixLengths(bytes: Uint8Array): { headerBytes: number; payloadBytes: number } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < PREFIX_BYTES) throw new CorruptEntryError(`truncated: ${buf.length} bytes`);
  if (!buf.subarray(0, 8).equals(MAGIC)) throw new CorruptEntryError("not a SaliencyCut cache entry (bad magic)");
  return { headerBytes: buf.readUInt32LE(8), payloadBytes: buf.readUInt32LE(12) };
}

/** Header length from the prefix, so a reader can fetch just the header. */
export function headerEnd(prefix: Uint8Array): number {
  return PREFIX_BYTES + prefixLengths(prefix).headerBytes;
}

function parseHeader(json: Uint8Array): EntryHeader {
  let header: EntryHeader;
  try {
    header = JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8")) as EntryHeader;
  } catch {
    throw new CorruptEntryError("header is not valid JSON");
  }
  const problem = headerProblem(header);
  if (problem) throw new CorruptEntryError(`header: ${problem}`);
  return header;
}

/** The header alone (no checksum: that needs the payload); `bytes` holds at least headerEnd(bytes) bytes. */
export function decodeHeader(bytes: Uint8Array): EntryHeader {
  const end = headerEnd(bytes);
  if (bytes.length < end) throw new CorruptEntryError(`truncated header: ${bytes.length} of ${end} bytes`);
  return parseHeader(bytes.subarray(PREFIX_BYTES, end));
}

/** Length and checksum checked, header parsed; the payload still compressed. Throws CorruptEntryError. */
export function checkEntry(bytes: Uint8Array): { header: EntryHeader; payload: Uint8Array } {
  const { headerBytes, payloadBytes } = prefixLengths(bytes);
  const total = PREFIX_BYTES + headerBytes + payloadBytes;
  if (bytes.length !== total) throw new CorruptEntryError(`${bytes.length < total ? "truncated" : "trailing bytes"}: ${bytes.length} bytes, header says ${total}`);
  const json = bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerBytes);
  const payload = bytes.subarray(PREFIX_BYTES + headerBytes);
  const stored = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readUInt32LE(16);
  if (zlib.crc32(payload, zlib.crc32(json)) !== stored) throw new CorruptEntryError("checksum mismatch");
  return { header: parseHeader(json), payload };
}

/** A whole entry file, checked down to every pixel value: throws CorruptEntryError on any damage. */
export function decodeEntry(bytes: Uint8Array): { header: EntryHeader; entry: CacheEntry } {
  const { header, payload } = checkEntry(bytes);
  const n = header.width * header.height;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(payload);
  } catch (e) {
    throw new CorruptEntryError(`payload does not inflate: ${(e as Error).message}`);
  }
  if (raw.length !== 3 * n) throw new CorruptEntryError(`payload has ${raw.length} bytes, ${header.width}x${header.height} needs ${3 * n}`);
  const own = new Uint8Array(3 * n);
  own.set(raw);
  const regions = new Uint16Array(own.buffer, 0, n);
  const mask = own.subarray(2 * n);
  for (let i = 0; i < n; i++) {
    if (mask[i]! > 1) throw new CorruptEntryError(`mask value ${mask[i]} at pixel ${i}`);
    if (regions[i]! > header.regionCount) throw new CorruptEntryError(`region ${regions[i]} at pixel ${i} exceeds the region count ${header.regionCount}`);
  }
  return { header, entry: { width: header.width, height: header.height, mask, regions, regionCount: header.regionCount } };
}
