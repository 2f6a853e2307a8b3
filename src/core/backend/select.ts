/**
 * Picks the TensorFlow.js backend at run time. The native backends download
 * libtensorflow at install time, so they are optional dependencies that may be
 * absent or broken; `auto` walks from fastest to slowest and records why each
 * skipped one could not be used, with the fix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import type { BackendName } from "../config/schema";
import { registerWasmConvGradients } from "./wasmConvGrads";

export type ConcreteBackend = Exclude<BackendName, "auto">;

export interface BackendAttempt {
  backend: ConcreteBackend;
  ok: boolean;
  /** Why it was not used, when ok is false; details (e.g. GPU or not) when true. */
  detail: string;
  /** What to do about it. */
  fix?: string;
}

export interface BackendChoice {
  /** The backend name as `--backend` spells it. */
  backend: ConcreteBackend;
  /** tfjs's own name for it (tensorflow-gpu and tensorflow both register "tensorflow"). */
  tfName: string;
  attempts: BackendAttempt[];
}

export const AUTO_ORDER: ConcreteBackend[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

const GPU_FIX =
  "On a machine with internet, an NVIDIA driver, CUDA 11.2 and cuDNN 8.1: `npm install @tensorflow/tfjs-node-gpu`. " +
  "tfjs-node-gpu 4.x links libcudart.so.11.0, so a CUDA 12-only machine fails to load it (tfjs issue #8362): install the CUDA 11.2 runtime beside 12. " +
  "Offline, point TFJS_NODE_CDN_STORAGE at a mirror holding the libtensorflow archive, then `npm rebuild @tensorflow/tfjs-node-gpu`.";
const CPU_FIX =
  "On a machine with internet: `npm install @tensorflow/tfjs-node` (downloads libtensorflow at install time). " +
  "Offline, point TFJS_NODE_CDN_STORAGE at a mirror holding the libtensorflow archive, then `npm rebuild @tensorflow/tfjs-node`.";

function explainLoadError(pkg: string, error: unknown, fix: string): { detail: string; fix: string } {
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  if (/Cannot find module '@tensorflow\/tfjs-node/.test(message) && message.includes(pkg)) {
    return { detail: `${pkg} is not installed`, fix };
  }
  if (/libcudart|libcudnn|libcublas/.test(message)) {
    return { detail: `${pkg} is installed but CUDA libraries are missing: ${message}`, fix };
  }
  if (/tfjs_binding|libtensorflow/.test(message)) {
    return { detail: `${pkg} is installed but its native libtensorflow is missing (its install-time download failed): ${message}`, fix };
  }
  return { detail: `${pkg} failed to load: ${message}`, fix };
}

async function tryNative(pkg: string, wantGpu: boolean): Promise<{ ok: boolean; detail: string; fix?: string }> {
  const fix = wantGpu ? GPU_FIX : CPU_FIX;
  try {
    // A runtime require: esbuild leaves it alone, and a missing optional package is just a skipped backend.
    const mod = require(pkg) as { version?: Record<string, string> };
    if (!(await tf.setBackend("tensorflow"))) return { ok: false, detail: `${pkg} loaded but its backend did not initialise`, fix };
    const usingGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    if (wantGpu && !usingGpu) {
      return { ok: false, detail: `${pkg} loaded but libtensorflow found no usable GPU (check nvidia-smi and the CUDA 11.2 / cuDNN 8.1 libraries)`, fix };
    }
    const version = mod.version?.["tfjs-node"] ?? mod.version?.["tfjs-node-gpu"] ?? "";
    return { ok: true, detail: `${pkg}${version ? " " + version : ""} on ${usingGpu ? "GPU" : "CPU"}` };
  } catch (error) {
    return { ok: false, ...explainLoadError(pkg, error, fix) };
  }
}

async function tryWasm(): Promise<{ ok: boolean; detail: string; fix?: string }> {
  try {
    const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
    // Bundled (dist/*.js), the backend would look for its .wasm files beside the bundle's
    // idea of its own module; esbuild.mjs copies them next to the bundle.
    if (fs.existsSync(path.join(__dirname, "tfjs-backend-wasm-simd.wasm"))) wasm.setWasmPaths(__dirname + path.sep);
    registerWasmConvGradients();
    if (!(await tf.setBackend("wasm"))) return { ok: false, detail: "the wasm backend did not initialise" };
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    return { ok: true, detail: `WebAssembly (XNNPACK${simd ? ", SIMD" : ", no SIMD"}, single thread)` };
  } catch (error) {
    return { ok: false, detail: `@tensorflow/tfjs-backend-wasm failed to load: ${(error as Error).message}`, fix: "Reinstall the project's dependencies: `npm ci`." };
  }
}

async function tryCpu(): Promise<{ ok: boolean; detail: string; fix?: string }> {
  require("@tensorflow/tfjs-backend-cpu");
  const ok = await tf.setBackend("cpu");
  return ok ? { ok, detail: "plain JavaScript (about 100x slower than wasm: a last resort)" } : { ok, detail: "the cpu backend did not initialise" };
}

export async function tryBackend(backend: ConcreteBackend): Promise<BackendAttempt> {
  const result =
    backend === "tensorflow-gpu"
      ? await tryNative("@tensorflow/tfjs-node-gpu", true)
      : backend === "tensorflow"
        ? await tryNative("@tensorflow/tfjs-node", false)
        : backend === "wasm"
          ? await tryWasm()
          : await tryCpu();
  return { backend, ...result };
}

/**
 * Activates the requested backend, or with "auto" the first that works in
 * AUTO_ORDER. Throws when an explicitly requested backend cannot be used.
 */
export async function selectBackend(requested: BackendName): Promise<BackendChoice> {
  const candidates = requested === "auto" ? AUTO_ORDER : [requested];
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    const attempt = await tryBackend(backend);
    attempts.push(attempt);
    if (attempt.ok) return { backend, tfName: tf.getBackend(), attempts };
  }
  const last = attempts[attempts.length - 1]!;
  throw new Error(`backend "${requested}" is not available: ${last.detail}${last.fix ? `. Fix: ${last.fix}` : ""}`);
}
