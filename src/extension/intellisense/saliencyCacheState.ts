/**
 * The SaliencyCut cache of an experiment as the editor's advice needs it:
 * how many entries match the experiment's settings, and how many training
 * images there are. It reads the manifest (or entry headers when the manifest
 * is missing), never the images: `cache stats` decodes every image to hash
 * its pixels, which needs sharp, and the extension host must not load it. So an
 * entry from another SaliencyCut version counts as present here; the trainer
 * still refuses it, with the build command.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { SaliencyCacheState } from "../../core/config/advice";
import { saliencyParams } from "../../core/config/saliencySchema";
import type { Experiment } from "../../core/config/schema";
import { loadCacheState } from "../../core/saliency/cache/cacheState";
import { entriesDir } from "../../core/saliency/cache/entryStore";
import { canonicalJson } from "../../core/saliency/cache/key";
import { manifestPath } from "../../core/saliency/cache/manifest";
import { trainImageCount } from "./trainImageCount";

const stamp = (p: string) => {
  const s = fs.statSync(p, { throwIfNoEntry: false });
  return s ? `${s.mtimeMs}:${s.size}` : "-";
};

/**
 * Remembers entry counts while the manifest and entry folder are unchanged,
 * and image counts until `invalidate()` (files created or deleted): advice
 * runs on every edit, and a folder of many images takes a while to list.
 */
export class SaliencyCacheStates {
  private readonly memo = new Map<string, { stamp: string; entries: number }>();
  private readonly images = new Map<string, number | undefined>();

  constructor(private readonly packageRoot: string) {}

  invalidate(): void {
    this.images.clear();
  }

  private imageCount(experimentDir: string, config: Experiment): number | undefined {
    const key = JSON.stringify([experimentDir, config.dataset, config.limit?.train]);
    if (!this.images.has(key)) this.images.set(key, trainImageCount(config, experimentDir, this.packageRoot));
    return this.images.get(key);
  }

  get(experimentFile: string, config: Experiment): SaliencyCacheState | undefined {
    const experimentDir = path.dirname(experimentFile);
    const dir = path.resolve(experimentDir, config.saliency.cache.dir);
    const wanted = canonicalJson(saliencyParams(config.saliency));
    const key = `${dir}\n${wanted}`;
    const now = `${stamp(manifestPath(dir))}|${stamp(entriesDir(dir))}`;
    let known = this.memo.get(key);
    if (!known || known.stamp !== now) {
      try {
        const state = loadCacheState(dir, { write: false });
        const entries = [...state.entries.values()].filter((r) => canonicalJson(r.params) === wanted).length;
        known = { stamp: now, entries };
      } catch {
        // An unreadable cache folder: say nothing rather than something wrong.
        return undefined;
      }
      this.memo.set(key, known);
    }
    return { entries: known.entries, images: this.imageCount(experimentDir, config) };
  }
}
