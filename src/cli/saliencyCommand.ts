/**
 * `ssl-studio saliency <image>`: SaliencyCut on one image file, the terminal
 * twin of the Saliency Explorer panel. Writes the binary mask (white =
 * salient) at the image's size, optionally the recoloured region map, and
 * prints how long each stage took.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import type { SaliencyParams } from "../core/config/saliencySchema";
import { decodeImageFile } from "../core/saliency/decodeImageFile";
import { paintRegions, randomPalette } from "../core/saliency/recolor";
import { saliencyCut } from "../core/saliency/saliencyCut";
import type { SaliencyResult } from "../core/saliency/types";

export interface SaliencyCliOptions {
  image: string;
  out: string;
  regions?: string;
  params: SaliencyParams;
}

export async function saliencyOfFile(o: SaliencyCliOptions, log: (line: string) => void): Promise<SaliencyResult> {
  const t0 = performance.now();
  const image = await decodeImageFile(o.image);
  const { width, height } = image;
  const decodeMs = performance.now() - t0;
  const result = await saliencyCut(image, o.params);
  await writePng(o.out, Uint8Array.from(result.mask, (v) => v * 255), width, height, 1);
  if (o.regions) await writePng(o.regions, paintRegions(result.regions, randomPalette(result.regionCount + 1, 3, 0), 3), width, height, 3);

  const object = result.mask.reduce((a, b) => a + b, 0);
  const total = result.timings.reduce((s, t) => s + t.ms, 0);
  log(`${o.image}: ${width}x${height}, ${((100 * object) / (width * height)).toFixed(1)}% salient, ${result.regionCount} region(s), ${result.rounds} GrabCut round(s)`);
  log(`  decode ${decodeMs.toFixed(0)} ms`);
  for (const t of result.timings) log(`  ${t.stage.padEnd(9)} ${t.ms.toFixed(0)} ms`);
  log(`  total    ${total.toFixed(0)} ms (SaliencyCut, without decoding)`);
  log(`wrote ${path.resolve(o.out)}${o.regions ? ` and ${path.resolve(o.regions)}` : ""}`);
  return result;
}

async function writePng(file: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Promise<void> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  await sharp(pixels, { raw: { width, height, channels } }).png().toFile(file);
}
