/** The data SaliencyCut works on and produces. Plain typed arrays: workers transfer them, the cache stores them. */

/** 8-bit RGB, rows top to bottom, pixels interleaved (length width*height*3). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** OpenCV's GrabCut labels, which the trimap uses as they are. */
export const TRIMAP = { background: 0, foreground: 1, probableBackground: 2, probableForeground: 3 } as const;

/** The time one stage took, for the CLI and the panel. */
export interface StageTiming {
  stage: string;
  ms: number;
}

export interface SaliencyResult {
  width: number;
  height: number;
  /** Histogram-contrast saliency in [0, 1] per pixel (when the map setting needed it). */
  hc?: Float32Array;
  /** Region-contrast saliency in [0, 1] per pixel (when the map setting needed it). */
  rc?: Float32Array;
  /** The trimap of the first GrabCut round (TRIMAP values). */
  trimap: Uint8Array;
  /** 1 = salient object, 0 = background. */
  mask: Uint8Array;
  /** 0 = background, 1..regionCount = regions of the object (output "regions") or the object (output "mask"). */
  regions: Uint16Array;
  regionCount: number;
  /** GrabCut rounds run (fewer than the setting when the mask settled). */
  rounds: number;
  /** GrabCut left no object, so the mask is the binarised saliency map's largest object. */
  grabCutFellBack: boolean;
  timings: StageTiming[];
}

/** What training keeps of a result (and the cache stores): the region labels. */
export interface RegionMap {
  /** 0 = background, 1..regionCount = the object's regions. */
  regions: Uint16Array;
  regionCount: number;
}

/** A Lab image: width*height*3 floats, L in [0, 100], a and b about [-128, 127]. */
export interface LabImage {
  width: number;
  height: number;
  data: Float32Array;
}
