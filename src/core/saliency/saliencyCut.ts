/**
 * SaliencyCut (Cheng et al. 2015): saliency map (HC, RC or their mean) ->
 * binarised at the threshold -> iterated GrabCut -> the salient object's mask
 * and its regions. Deterministic: the same pixels and settings always give
 * the same result, which is what lets the offline cache key results by pixels.
 */
import type { SaliencyParams } from "../config/saliencySchema";
import { grabCutRounds } from "./grabCutRounds";
import { histogramContrast } from "./histogramContrast";
import { rgbToLab } from "./labImage";
import { loadOpenCV, type CV } from "./opencv";
import { quantize } from "./quantize";
import { regionContrast } from "./regionContrast";
import { SEGMENT_DEFAULTS, segmentGraph, type Segmentation } from "./segmentGraph";
import type { RgbImage, SaliencyResult, StageTiming } from "./types";

/** Bump when any stage changes its output: cached results of other versions are stale. */
export const SALIENCY_VERSION = 1;

/**
 * Smaller images are enlarged to this side first: on a 28x28 image GrabCut's
 * smoothness term outweighs the colour models along the short boundaries and
 * the cut comes back empty; the enlarged image behaves like a photo.
 */
const MIN_WORKING_SIDE = 96;

export async function saliencyCut(image: RgbImage, params: SaliencyParams): Promise<SaliencyResult> {
  const { cv } = await loadOpenCV();
  return saliencyCutWith(cv, image, params);
}

/** The same, synchronous, once OpenCV is loaded: what a training step that computes a cache miss calls. */
export function saliencyCutWith(cv: CV, image: RgbImage, params: SaliencyParams): SaliencyResult {
  const timings: StageTiming[] = [];
  const timed = <T>(stage: string, f: () => T): T => {
    const t0 = performance.now();
    const out = f();
    timings.push({ stage, ms: performance.now() - t0 });
    return out;
  };
  const scale = Math.max(params.scale, MIN_WORKING_SIDE / Math.max(image.width, image.height));
  const work = scale !== 1 ? timed("resize", () => resize(cv, image, scale)) : image;
  const { width, height } = work;
  const q = timed("quantize", () => quantize(work));
  const hc = params.map !== "rc" ? timed("hc", () => histogramContrast(work, q)) : undefined;
  const needRegions = params.map !== "hc" || params.output === "regions";
  const seg = needRegions ? timed("segment", () => segmentGraph(rgbToLab(work), { minSize: minRegionSize(width, height) })) : undefined;
  const rc = params.map !== "hc" ? timed("rc", () => regionContrast(seg!, q)) : undefined;
  const saliency = hc && rc ? hc.map((v, p) => (v + rc[p]!) / 2) : (hc ?? rc)!;

  const seed = new Uint8Array(width * height);
  for (let p = 0; p < seed.length; p++) seed[p] = saliency[p]! * 255 >= params.threshold ? 1 : 0;
  const cut = timed("grabcut", () => grabCutRounds(cv, work, seed, params.iterations));
  const { regions, regionCount } = timed("regions", () => objectRegions(cut.mask, params.output === "regions" ? seg : undefined));

  const result: SaliencyResult = { width, height, hc, rc, trimap: cut.trimap, mask: cut.mask, regions, regionCount, rounds: cut.rounds, grabCutFellBack: cut.fellBack, timings };
  return work === image ? result : timed("restore", () => restoreSize(cv, result, image.width, image.height));
}

/**
 * The authors' minimum region of 200 pixels is for photos of ~400x300 pixels;
 * on a 28x28 image it would be a quarter of the picture and swallow the
 * object, so it shrinks with the image area (never below 8 pixels).
 */
export function minRegionSize(width: number, height: number): number {
  return Math.max(8, Math.min(SEGMENT_DEFAULTS.minSize, Math.round((SEGMENT_DEFAULTS.minSize * width * height) / (400 * 300))));
}

/**
 * Labels 1..n for the segments that overlap the object, in raster order, 0
 * for the background; without a segmentation the object is region 1.
 */
function objectRegions(mask: Uint8Array, seg: Segmentation | undefined): { regions: Uint16Array; regionCount: number } {
  const regions = new Uint16Array(mask.length);
  const id = new Map<number, number>();
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const segment = seg ? seg.labels[p]! : 0;
    let label = id.get(segment);
    if (label === undefined) id.set(segment, (label = id.size + 1));
    regions[p] = label;
  }
  return { regions, regionCount: id.size };
}

function resize(cv: CV, image: RgbImage, scale: number): RgbImage {
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const src = new cv.Mat(image.height, image.width, cv.CV_8UC3);
  const dst = new cv.Mat();
  try {
    src.data.set(image.data);
    cv.resize(src, dst, new cv.Size(width, height), 0, 0, scale < 1 ? cv.INTER_AREA : cv.INTER_LINEAR);
    return { width, height, data: Uint8Array.from(dst.data) };
  } finally {
    src.delete();
    dst.delete();
  }
}

/** Every per-pixel output back at the image's size: maps bilinear, labels nearest. */
function restoreSize(cv: CV, r: SaliencyResult, width: number, height: number): SaliencyResult {
  const map = (m: Float32Array | undefined) => m && (resizePlane(cv, m, r.width, r.height, width, height, cv.CV_32FC1, cv.INTER_LINEAR) as Float32Array);
  const nearest = <T extends Uint8Array | Uint16Array>(m: T, type: number) => resizePlane(cv, m, r.width, r.height, width, height, type, cv.INTER_NEAREST) as T;
  return {
    ...r,
    width,
    height,
    hc: map(r.hc),
    rc: map(r.rc),
    trimap: nearest(r.trimap, cv.CV_8UC1),
    mask: nearest(r.mask, cv.CV_8UC1),
    regions: nearest(r.regions, cv.CV_16UC1),
  };
}

function resizePlane(cv: CV, plane: Float32Array | Uint8Array | Uint16Array, w: number, h: number, width: number, height: number, type: number, interpolation: number) {
  const src = new cv.Mat(h, w, type);
  const dst = new cv.Mat();
  try {
    const view = type === cv.CV_32FC1 ? src.data32F : type === cv.CV_16UC1 ? src.data16U : src.data;
    view.set(plane);
    cv.resize(src, dst, new cv.Size(width, height), 0, 0, interpolation);
    const out = type === cv.CV_32FC1 ? dst.data32F : type === cv.CV_16UC1 ? dst.data16U : dst.data;
    return out.slice();
  } finally {
    src.delete();
    dst.delete();
  }
}
