/**
 * Region-contrast saliency (Cheng et al. 2015, section 4): the image is cut
 * into graph-based regions; a region is salient when its colours are far from
 * those of large regions nearby:
 *
 *   S(r_k) = sum_{i != k} exp(-D_s(r_k, r_i)^2 / sigma_s^2) |r_i| D_r(r_k, r_i)
 *
 * with D_r the Lab distance between the regions' quantised colour histograms,
 * D_s the distance between their centroids in coordinates normalised to
 * [0, 1] and sigma_s^2 = 0.4. As in the authors' code, regions that lie along
 * the image border are background (the border prior) and the map gets the
 * same 3x3 smoothing as HC.
 */
import { blur3x3, normalizeRange } from "./mapOps";
import { colorDistances, type QuantizedImage } from "./quantize";
import type { Segmentation } from "./segmentGraph";

const SIGMA_S2 = 0.4;
/** Border band: 2% of each side (the authors' ratio). */
const BORDER_RATIO = 0.02;
/** A region whose border contact, relative to its extent, exceeds this is background (the authors' 0.4). */
const BORDER_LIKELIHOOD = 0.4;

interface Region {
  pixels: number;
  cx: number;
  cy: number;
  /** Sparse colour histogram: colour indices and their frequencies within the region. */
  colors: Int32Array;
  freqs: Float32Array;
}

export function regionContrast(seg: Segmentation, q: QuantizedImage): Float32Array {
  const { width, height, labels, count: R } = seg;
  const regions = buildRegions(seg, q);
  const dist = colorDistances(q);
  const C = q.count;
  const regionSal = new Float64Array(R);
  for (let i = 0; i < R; i++) {
    const a = regions[i]!;
    for (let j = i + 1; j < R; j++) {
      const b = regions[j]!;
      let dr = 0;
      for (let m = 0; m < a.colors.length; m++) {
        const row = a.colors[m]! * C;
        let s = 0;
        for (let n = 0; n < b.colors.length; n++) s += dist[row + b.colors[n]!]! * b.freqs[n]!;
        dr += a.freqs[m]! * s;
      }
      const w = dr * Math.exp(-((a.cx - b.cx) ** 2 + (a.cy - b.cy) ** 2) / SIGMA_S2);
      regionSal[i] += b.pixels * w;
      regionSal[j] += a.pixels * w;
    }
  }
  const border = borderRegions(seg, regions);
  const map = new Float32Array(width * height);
  const norm = normalizeRange(Float32Array.from(regionSal));
  for (let p = 0; p < map.length; p++) map[p] = border[labels[p]!] ? 0 : norm[labels[p]!]!;
  zeroBorderBand(map, width, height);
  return normalizeRange(blur3x3(map, width, height));
}

function buildRegions(seg: Segmentation, q: QuantizedImage): Region[] {
  const { width, height, labels, count: R } = seg;
  const C = q.count;
  const hist = new Int32Array(R * C);
  const pixels = new Float64Array(R);
  const sx = new Float64Array(R);
  const sy = new Float64Array(R);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const r = labels[p]!;
      pixels[r]!++;
      sx[r] += x;
      sy[r] += y;
      hist[r * C + q.index[p]!]!++;
    }
  }
  return Array.from({ length: R }, (_, r) => {
    const colors: number[] = [];
    const freqs: number[] = [];
    for (let c = 0; c < C; c++) {
      const n = hist[r * C + c]!;
      if (n > 0) {
        colors.push(c);
        freqs.push(n / pixels[r]!);
      }
    }
    return { pixels: pixels[r]!, cx: sx[r]! / (pixels[r]! * width), cy: sy[r]! / (pixels[r]! * height), colors: Int32Array.from(colors), freqs: Float32Array.from(freqs) };
  });
}

const band = (side: number) => Math.max(1, Math.round(side * BORDER_RATIO));

/**
 * Regions that run along the border: their pixel count in the border bands,
 * relative to how much band their spread could cover, is high. A small
 * object that merely touches the border is not one of them.
 */
function borderRegions(seg: Segmentation, regions: Region[]): boolean[] {
  const { width, height, labels, count: R } = seg;
  const wGap = band(width);
  const hGap = band(height);
  const inX = new Float64Array(R);
  const inY = new Float64Array(R);
  const vx = new Float64Array(R);
  const vy = new Float64Array(R);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const r = labels[p]!;
      vx[r] += Math.abs(x - regions[r]!.cx * width);
      vy[r] += Math.abs(y - regions[r]!.cy * height);
      if (x < wGap || x >= width - wGap) inX[r]!++;
      if (y < hGap || y >= height - hGap) inY[r]!++;
    }
  }
  return regions.map((region, r) => {
    // Mean absolute deviation x 4 ~ the region's extent along that axis.
    const extentY = (4 * vy[r]!) / region.pixels + 1;
    const extentX = (4 * vx[r]!) / region.pixels + 1;
    const likelihood = inX[r]! / (wGap * extentY) + inY[r]! / (hGap * extentX);
    return likelihood > BORDER_LIKELIHOOD;
  });
}

function zeroBorderBand(map: Float32Array, width: number, height: number): void {
  const wGap = band(width);
  const hGap = band(height);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      if (x < wGap || x >= width - wGap || y < hGap || y >= height - hGap) map[p] = 0;
    }
  }
}
