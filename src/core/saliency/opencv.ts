/**
 * OpenCV compiled to WebAssembly (@techstark/opencv-js): GrabCut, morphology
 * and resizing for SaliencyCut. Loaded on first use (about 0.6 s, 10 MB of
 * JavaScript), once per process or worker thread.
 */
import type * as OpenCV from "@techstark/opencv-js";

export type CV = typeof OpenCV;

let loading: Promise<{ cv: CV }> | undefined;

/**
 * Resolves to a wrapper, not the module: the Emscripten module is itself a
 * thenable that resolves to itself, so awaiting it directly never settles.
 */
export function loadOpenCV(): Promise<{ cv: CV }> {
  loading ??= (async () => {
    // A plain require: the package is external to the bundles (see esbuild.mjs).
    const mod = require("@techstark/opencv-js") as CV | Promise<CV>;
    if (mod instanceof Promise) return { cv: await mod };
    if (typeof mod.Mat !== "function") await new Promise<void>((resolve) => ((mod as { onRuntimeInitialized?: () => void }).onRuntimeInitialized = resolve));
    return { cv: mod };
  })();
  return loading;
}
