/** The images of an in-memory dataset as the cache sees them: hashed, named, and handed to SaliencyCut. */
import type { SaliencyParams } from "../../config/saliencySchema";
import type { ImageDataset } from "../../data/dataset";
import { SALIENCY_VERSION } from "../saliencyCut";
import type { RgbImage } from "../types";
import type { ImageRef } from "./entryFormat";
import { cacheKey, pixelHash, type PixelImage } from "./key";

/** Image `index` of the dataset (a view on its pixels, not a copy). */
export function datasetImage(ds: ImageDataset, index: number): PixelImage {
  const per = ds.width * ds.height * ds.channels;
  return { width: ds.width, height: ds.height, channels: ds.channels, pixels: ds.pixels.subarray(index * per, (index + 1) * per) };
}

/** The pixel hash and cache key of every image, in dataset order. */
export function imageKeys(ds: ImageDataset, params: SaliencyParams): { pixelHash: string; key: string }[] {
  return Array.from({ length: ds.count }, (_, i) => {
    const hash = pixelHash(datasetImage(ds, i));
    return { pixelHash: hash, key: cacheKey(hash, params, SALIENCY_VERSION) };
  });
}

export function imageRef(index: number, files: readonly string[] | undefined): ImageRef {
  const file = files?.[index];
  return file === undefined ? { index } : { index, file };
}

/** A fresh RGB copy (grayscale replicated into the three channels); fresh so its buffer can be handed to a worker thread. */
export function toRgb(image: PixelImage): RgbImage {
  const n = image.width * image.height;
  const data = new Uint8Array(n * 3);
  if (image.channels === 3) data.set(image.pixels);
  else {
    for (let p = 0; p < n; p++) {
      const v = image.pixels[p]!;
      data[3 * p] = v;
      data[3 * p + 1] = v;
      data[3 * p + 2] = v;
    }
  }
  return { width: image.width, height: image.height, data };
}
