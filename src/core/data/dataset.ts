/** An in-memory image dataset: what every loader produces and the trainer consumes. */
export interface ImageDataset {
  /** Where it came from, for messages. */
  source: string;
  count: number;
  height: number;
  width: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** count*height*width*channels bytes, each image HWC row-major. */
  pixels: Uint8Array;
  /** One class index per image, absent when the data is unlabelled. */
  labels?: Int32Array;
  classNames?: string[];
  /** The file each image came from (image folders), for messages that name an image. */
  files?: string[];
}

/** A file a loader could not read: skipped, counted and reported, never fatal. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface LoadedData {
  train: ImageDataset;
  /** Labelled held-out split used for kNN evaluation, when the dataset has one. */
  test?: ImageDataset;
  skipped: SkippedFile[];
}
