/**
 * The thesis's "colour-swapped segmentation map": every region label gets a
 * random colour, drawn again each time the op fires, so the network cannot
 * learn colours and has to use shape (Kocaman, ch. 5).
 */
import { Rng } from "../random";

/** One random colour per label (0 = background included), channels values each in 0..255. */
export function randomPalette(labels: number, channels: 1 | 3, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: labels * channels }, () => rng.int(256));
}

/** HWC pixels of a label map painted with a palette (labels beyond the palette wrap around). */
export function paintRegions(regions: Uint16Array, palette: Uint8Array, channels: 1 | 3, out = new Uint8Array(regions.length * channels)): Uint8Array {
  const colours = palette.length / channels;
  for (let p = 0; p < regions.length; p++) {
    const at = (regions[p]! % colours) * channels;
    for (let c = 0; c < channels; c++) out[p * channels + c] = palette[at + c]!;
  }
  return out;
}
