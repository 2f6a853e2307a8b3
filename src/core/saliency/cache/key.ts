/**
 * How a cached SaliencyCut result is named.
 *
 * pixel hash = sha256( u32le width | u32le height | u32le channels | pixels )
 *   over the image exactly as the dataset loader decodes it (HWC uint8, 1 or 3
 *   channels, before any augmentation). The size header keeps two images with
 *   the same bytes but another shape (28x28x3 vs 84x28x1) apart.
 *
 * cache key = sha256( "<pixel hash hex>\n<canonical JSON of SaliencyParams>\n<SALIENCY_VERSION>" )
 *   so a change of any setting that alters the result, or of the algorithm
 *   (a version bump), names a different entry instead of serving a stale one.
 *
 * Both are lowercase hex. Canonical JSON sorts object keys at every level, so
 * the key does not depend on the order fields were written in the config.
 */
import { createHash } from "node:crypto";
import type { SaliencyParams } from "../../config/saliencySchema";

export interface PixelImage {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

export function pixelHash(image: PixelImage): string {
  const header = Buffer.alloc(12);
  header.writeUInt32LE(image.width, 0);
  header.writeUInt32LE(image.height, 4);
  header.writeUInt32LE(image.channels, 8);
  return createHash("sha256").update(header).update(image.pixels).digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function cacheKey(pixelHashHex: string, params: SaliencyParams, version: number): string {
  return createHash("sha256").update(`${pixelHashHex}\n${canonicalJson(params)}\n${version}`).digest("hex");
}

/** Whether an entry was made with these settings and this algorithm version. */
export function sameSettings(a: { params: SaliencyParams; version: number }, b: { params: SaliencyParams; version: number }): boolean {
  return a.version === b.version && canonicalJson(a.params) === canonicalJson(b.params);
}
