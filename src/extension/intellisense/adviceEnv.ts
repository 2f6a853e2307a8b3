/**
 * The file system as the advice rules see it (core/config/advice.ts
 * AdviceEnv), for one experiment file: its paths resolved against the file's
 * folder, and its SaliencyCut cache read cheaply.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { AdviceEnv } from "../../core/config/advice";
import { SaliencyCacheStates } from "./saliencyCacheState";

export class AdviceEnvironment {
  private readonly caches: SaliencyCacheStates;

  /** `packageRoot`: the extension's folder, which holds the embedded datasets. */
  constructor(packageRoot: string) {
    this.caches = new SaliencyCacheStates(packageRoot);
  }

  for(experimentFile: string): AdviceEnv {
    const dir = path.dirname(experimentFile);
    return {
      fileExists: (relative) => fs.existsSync(path.resolve(dir, relative)),
      saliencyCache: (config) => this.caches.get(experimentFile, config),
    };
  }

  /** Files were created or deleted: counts remembered so far may be wrong. */
  invalidate(): void {
    this.caches.invalidate();
  }
}
