/**
 * Test scenes for SaliencyCut with a known answer: an object of random blob
 * shape, filled with a shaded colour or a photo texture, pasted with a soft
 * (anti-aliased) edge on a textured or natural background
 * (test/fixtures/saliency), then saved as a JPEG and decoded, as a photo
 * would be. The blob (alpha >= 0.5) is the ground-truth mask. The same seed
 * gives the same scenes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { findPackageRoot } from "../core/data/embedded";
import { Rng } from "../core/random";
import type { RgbImage } from "../core/saliency/types";

export interface Scene {
  name: string;
  image: RgbImage;
  /** 1 = object. */
  truth: Uint8Array;
}

export interface SceneOptions {
  width: number;
  height: number;
  count: number;
  seed: number;
}

/** The scenes' photos: backgrounds bg-*.jpg and object textures obj-*.jpg. */
export const sceneFixtures = () => path.join(findPackageRoot(), "test/fixtures/saliency");

async function readRgb(file: string, width: number, height: number): Promise<Uint8Array> {
  const { data } = await sharp(file).resize(width, height, { fit: "cover" }).toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

export async function saliencyScenes(dir: string, o: SceneOptions): Promise<Scene[]> {
  const files = fs.readdirSync(dir).sort();
  const load = (prefix: string) => Promise.all(files.filter((f) => f.startsWith(prefix)).map(async (f) => ({ name: path.parse(f).name.slice(prefix.length), rgb: await readRgb(path.join(dir, f), o.width, o.height) })));
  const backgrounds = await load("bg-");
  const textures = await load("obj-");
  if (backgrounds.length === 0) throw new Error(`no background images (bg-*.jpg) in ${dir}`);
  const rng = new Rng(o.seed);
  const scenes: Scene[] = [];
  for (let i = 0; i < o.count; i++) {
    const bg = backgrounds[i % backgrounds.length]!;
    const alpha = blob(rng, o.width, o.height);
    const image = new Uint8Array(bg.rgb);
    // Gray textures get a random tint, so that colour alone does not give the object away.
    if (isGray(bg.rgb)) tint(image, [rng.uniform(0.4, 1), rng.uniform(0.4, 1), rng.uniform(0.4, 1)]);
    const texture = i % 2 === 1 && textures.length > 0 ? textures[(i >> 1) % textures.length]! : undefined;
    const fill = texture ? `${texture.name} texture` : "shaded colour";
    paste(image, alpha, o.width, texture?.rgb, rng);
    const photo = await sharp(image, { raw: { width: o.width, height: o.height, channels: 3 } }).jpeg({ quality: 85 }).raw().toBuffer();
    const truth = Uint8Array.from(alpha, (a) => (a >= 0.5 ? 1 : 0));
    scenes.push({ name: `${bg.name} + ${fill} #${i}`, image: { width: o.width, height: o.height, data: new Uint8Array(photo) }, truth });
  }
  return scenes;
}

/** Opacity of a smooth random blob of 8-25% of the image, away from the border, with a 1.5 px soft edge. */
function blob(rng: Rng, width: number, height: number): Float32Array {
  const area = rng.uniform(0.08, 0.25) * width * height;
  const radius = Math.sqrt(area / Math.PI);
  const cx = rng.uniform(0.3, 0.7) * width;
  const cy = rng.uniform(0.3, 0.7) * height;
  const wobble = [2, 3, 5].map((k) => ({ k, a: rng.uniform(0, 0.18), phase: rng.uniform(0, 2 * Math.PI) }));
  const alpha = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const theta = Math.atan2(y - cy, x - cx);
      const r = radius * (1 + wobble.reduce((s, w) => s + w.a * Math.sin(w.k * theta + w.phase), 0));
      const edge = Math.min(r, cx - 0.04 * width, cy - 0.04 * height, width * 0.96 - cx, height * 0.96 - cy);
      alpha[y * width + x] = Math.min(1, Math.max(0, 0.5 + (edge - Math.hypot(x - cx, y - cy)) / 1.5));
    }
  }
  return alpha;
}

function isGray(rgb: Uint8Array): boolean {
  for (let p = 0; p < rgb.length; p += 3 * 97) if (rgb[p] !== rgb[p + 1] || rgb[p] !== rgb[p + 2]) return false;
  return true;
}

function tint(rgb: Uint8Array, colour: number[]): void {
  for (let p = 0; p < rgb.length; p++) rgb[p] = Math.round(rgb[p]! * colour[p % 3]!);
}

/** Blend in a photo texture, or a random colour shaded left to right (a lit, rounded object). */
function paste(image: Uint8Array, alpha: Float32Array, width: number, texture: Uint8Array | undefined, rng: Rng): void {
  const colour = [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
  for (let p = 0; p < alpha.length; p++) {
    const a = alpha[p]!;
    if (a === 0) continue;
    const shade = 0.75 + (0.35 * (p % width)) / width;
    for (let c = 0; c < 3; c++) {
      const object = texture ? texture[3 * p + c]! : Math.min(255, colour[c]! * shade);
      image[3 * p + c] = Math.round(a * object + (1 - a) * image[3 * p + c]!);
    }
  }
}

/** Intersection over union of two 0/1 masks. */
export function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let p = 0; p < a.length; p++) {
    if (a[p] && b[p]) inter++;
    if (a[p] || b[p]) union++;
  }
  return union === 0 ? 1 : inter / union;
}
