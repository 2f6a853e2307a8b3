/**
 * The "Cut" of SaliencyCut (Cheng et al. 2015, section 5). The binarised
 * saliency map has high recall but takes in some background, so the first
 * trimap only says "probably object" inside it and "background" outside; GrabCut
 * (OpenCV's cv.grabCut, one iteration per round) re-segments the image, and
 * the largest connected object becomes the next mask. Later trimaps come from
 * that mask: eroded = sure object, outside the dilated mask = background, the
 * band between = probable. Rounds stop when the mask settles. A 2% border
 * band is always background, as in the authors' code.
 */
import type { CV } from "./opencv";
import { TRIMAP, type RgbImage } from "./types";

const RNG_SEED = 0x5a11;
/** Stop when fewer than this fraction of the pixels change between rounds. */
const SETTLED = 0.005;

/** Registers an OpenCV Mat for deletion when the cut is done (they live in the WebAssembly heap, not the GC's). */
type Keep = <T extends { delete(): void }>(m: T) => T;

export interface CutResult {
  mask: Uint8Array;
  /** The first round's trimap (TRIMAP values). */
  trimap: Uint8Array;
  rounds: number;
  /** GrabCut removed the whole object, so the mask is the binarised saliency map's. */
  fellBack: boolean;
}

/** Dilation/erosion radius: ~5 px at 600x450 as in the authors' code, at least 1. */
export const morphologyRadius = (width: number, height: number) => Math.max(1, Math.round((width + height) / 200));

export function grabCutRounds(cv: CV, image: RgbImage, initial: Uint8Array, maxRounds: number): CutResult {
  const { width, height } = image;
  const n = width * height;
  const mats: { delete(): void }[] = [];
  const keep: Keep = (m) => (mats.push(m), m);
  try {
    const img = keep(new cv.Mat(height, width, cv.CV_8UC3));
    img.data.set(image.data);
    const side = 2 * morphologyRadius(width, height) + 1;
    const kernel = keep(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(side, side)));
    const tri = keep(new cv.Mat(height, width, cv.CV_8UC1));
    const bgd = keep(new cv.Mat());
    const fgd = keep(new cv.Mat());
    const seed = largestComponent(cv, initial, width, height, keep);
    let mask = seed;
    const first = seedTrimap(mask, width, height);
    let rounds = 0;
    for (let r = 0; r < maxRounds; r++) {
      const trimap = r === 0 ? first : trimapFromMask(cv, mask, kernel, width, height, keep);
      // GrabCut needs samples of both classes to fit its colour models.
      if (!hasBoth(trimap)) break;
      tri.data.set(trimap);
      // GrabCut seeds its colour models with k-means on OpenCV's global RNG: reseed so the same image always gives the same cut.
      cv.setRNGSeed(RNG_SEED);
      const roi = workingRect(trimap, width, height);
      cv.grabCut(keep(img.roi(roi)), keep(tri.roi(roi)), new cv.Rect(0, 0, roi.width, roi.height), bgd, fgd, 1, cv.GC_INIT_WITH_MASK);
      const cut = new Uint8Array(n);
      for (let p = 0; p < n; p++) cut[p] = tri.data[p] === TRIMAP.foreground || tri.data[p] === TRIMAP.probableForeground ? 1 : 0;
      const next = largestComponent(cv, cut, width, height, keep);
      let changed = 0;
      for (let p = 0; p < n; p++) if (next[p] !== mask[p]) changed++;
      mask = next;
      rounds++;
      if (changed < SETTLED * n) break;
    }
    // GrabCut can give everything to the background when the colours of object and background overlap
    // (gray objects touching the frame); the saliency map's own object is then a better answer than none.
    const empty = !mask.includes(1);
    return { mask: empty ? seed : mask, trimap: first, rounds, fellBack: empty && seed.includes(1) };
  } catch (error) {
    throw typeof error === "number" ? new Error(`OpenCV: ${cv.exceptionFromPtr(error).msg}`) : error;
  } finally {
    for (const m of mats) m.delete();
  }
}

/**
 * GrabCut only where the object may be: the box around the trimap's possible
 * object plus a margin of background for its colour model (the authors' code
 * also cuts within such a box). Outside it everything is background anyway,
 * and a small object no longer pays for the whole image.
 */
function workingRect(trimap: Uint8Array, width: number, height: number): InstanceType<CV["Rect"]> {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      if (trimap[p] === TRIMAP.background) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  const margin = Math.max(8, Math.round(0.1 * Math.max(width, height)));
  const left = Math.max(0, x0 - margin);
  const top = Math.max(0, y0 - margin);
  return { x: left, y: top, width: Math.min(width, x1 + margin + 1) - left, height: Math.min(height, y1 + margin + 1) - top } as InstanceType<CV["Rect"]>;
}

function hasBoth(trimap: Uint8Array): boolean {
  let object = false;
  let background = false;
  for (const v of trimap) {
    if (v === TRIMAP.foreground || v === TRIMAP.probableForeground) object = true;
    else background = true;
    if (object && background) return true;
  }
  return false;
}

const borderBand = (width: number, height: number) => Math.max(1, Math.round(0.02 * Math.min(width, height)));

function seedTrimap(seed: Uint8Array, width: number, height: number): Uint8Array {
  const band = borderBand(width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const onBorder = x < band || y < band || x >= width - band || y >= height - band;
      out[p] = !seed[p] ? TRIMAP.background : onBorder ? TRIMAP.probableBackground : TRIMAP.probableForeground;
    }
  }
  return out;
}

function trimapFromMask(cv: CV, mask: Uint8Array, kernel: InstanceType<CV["Mat"]>, width: number, height: number, keep: Keep): Uint8Array {
  const src = keep(new cv.Mat(height, width, cv.CV_8UC1));
  src.data.set(mask);
  const eroded = keep(new cv.Mat());
  const dilated = keep(new cv.Mat());
  cv.erode(src, eroded, kernel);
  cv.dilate(src, dilated, kernel);
  const band = borderBand(width, height);
  const out = new Uint8Array(width * height);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const onBorder = x < band || y < band || x >= width - band || y >= height - band;
      if (!dilated.data[p]) out[p] = TRIMAP.background;
      else if (onBorder) out[p] = TRIMAP.probableBackground;
      else if (eroded.data[p]) out[p] = TRIMAP.foreground;
      else out[p] = mask[p] ? TRIMAP.probableForeground : TRIMAP.probableBackground;
    }
  }
  return out;
}

/** The largest 8-connected object of a 0/1 mask (the authors keep only it: one salient object per image). */
function largestComponent(cv: CV, mask: Uint8Array, width: number, height: number, keep: Keep): Uint8Array {
  const src = keep(new cv.Mat(height, width, cv.CV_8UC1));
  src.data.set(mask);
  const labels = keep(new cv.Mat());
  const stats = keep(new cv.Mat());
  const centroids = keep(new cv.Mat());
  const count = cv.connectedComponentsWithStats(src, labels, stats, centroids, 8, cv.CV_32S);
  let best = 0;
  let bestArea = 0;
  for (let l = 1; l < count; l++) {
    const area = stats.intAt(l, cv.CC_STAT_AREA);
    if (area > bestArea) {
      bestArea = area;
      best = l;
    }
  }
  const out = new Uint8Array(width * height);
  if (best === 0) return out;
  const ids = labels.data32S;
  for (let p = 0; p < out.length; p++) out[p] = ids[p] === best ? 1 : 0;
  return out;
}
