import type { ImageDataset } from "../core/data/dataset";
import { Rng } from "../core/random";

/** Random images for measurements and environment checks that must not depend on a dataset on disk. */
export function syntheticDataset(count: number, size: number, channels: 1 | 3, seed = 0): ImageDataset {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * size * size * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  return { source: "synthetic", count, height: size, width: size, channels, pixels };
}
