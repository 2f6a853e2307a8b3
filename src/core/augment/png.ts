/** Raw preview tiles ⇄ PNG, via sharp (the one image codec SSL Studio ships). */
import sharp from "sharp";
import type { Tile } from "./preview";

/** Lossless, so the PNG decodes to exactly the tile's bytes; 1-channel tiles stay grayscale PNGs. */
export async function encodePng(tile: Tile): Promise<Buffer> {
  const img = sharp(tile.pixels, { raw: { width: tile.width, height: tile.height, channels: tile.channels } });
  return (tile.channels === 1 ? img.toColourspace("b-w") : img).png().toBuffer();
}

/** A 1- or 3-channel PNG as written by encodePng (or composeGrid). */
export async function decodePng(png: Buffer): Promise<Tile> {
  const { channels } = await sharp(png).metadata();
  if (channels !== 1 && channels !== 3) throw new Error(`expected a 1- or 3-channel PNG, got ${channels} channels`);
  // sharp decodes to sRGB unless told to keep the single band.
  const img = channels === 1 ? sharp(png).toColourspace("b-w") : sharp(png);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels, pixels: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
