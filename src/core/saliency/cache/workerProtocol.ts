/**
 * Messages between the cache build and its SaliencyCut worker threads
 * (dist/saliencyWorker.js). A thread has one job at a time, so replies need no
 * id. Pixel and result buffers are transferred, not copied.
 */
import type { SaliencyParams } from "../../config/saliencySchema";
import type { RgbImage } from "../types";
import type { CacheEntry } from "./entryFormat";

export interface SaliencyJob {
  image: RgbImage;
  params: SaliencyParams;
}

export type SaliencyJobResult = { ok: true; entry: CacheEntry } | { ok: false; error: string };
