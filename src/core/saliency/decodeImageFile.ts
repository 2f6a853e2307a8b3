/**
 * An image file (PNG/JPEG, anything sharp reads) → the RgbImage SaliencyCut
 * takes, at the file's own size: EXIF orientation applied, sRGB, alpha
 * dropped, grayscale replicated into the three channels. Shared by
 * `ssl-studio saliency` and the Saliency Explorer's worker.
 */
import * as fs from "node:fs";
import sharp, { type OutputInfo } from "sharp";
import type { RgbImage } from "./types";

export async function decodeImageFile(file: string): Promise<RgbImage> {
  if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(file, { failOn: "warning" }).autoOrient().toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new Error(`${file}: cannot decode the image (${error instanceof Error ? error.message : String(error)})`);
  }
  const { width, height, channels } = decoded.info;
  const data = channels === 3 ? new Uint8Array(decoded.data) : Uint8Array.from({ length: width * height * 3 }, (_, i) => decoded.data[Math.floor(i / 3) * channels]!);
  return { width, height, data };
}
