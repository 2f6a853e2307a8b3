/**
 * Shared plumbing for the per-sample augmentation kernels: parameter checks,
 * per-sample scalars, and running an op on only the samples that have
 * parameters (the others are copied bit for bit).
 */
import * as tf from "@tensorflow/tfjs-core";

/** Throws unless there is one entry per image. */
export function checkLength(name: string, x: tf.Tensor4D, params: ArrayLike<unknown>): void {
  const B = x.shape[0];
  if (params.length !== B) throw new Error(`${name}: ${B} images but ${params.length} parameters`);
  const C = x.shape[3];
  if (C !== 1 && C !== 3) throw new Error(`${name}: images must have 1 or 3 channels, got ${C}`);
}

/** Per-sample scalars as [n,1,1,1] (a [B,1,1,1] broadcast of add/mul is fast on wasm; compare/where are not). */
export function perSample(values: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(values), [values.length, 1, 1, 1]);
}

/**
 * out[i] = x[index[i]], an exact copy: a full-image nearest cropAndResize
 * samples integer positions (tf.gather and tf.reverse are ~10x slower on wasm).
 */
export function pickBatch(x: tf.Tensor4D, index: ArrayLike<number>): tf.Tensor4D {
  const [, H, W] = x.shape;
  const n = index.length;
  const boxes = new Float32Array(4 * n);
  for (let i = 0; i < n; i++) boxes.set([0, 0, 1, 1], 4 * i);
  return tf.image.cropAndResize(x, tf.tensor2d(boxes, [n, 4]), tf.tensor1d(Int32Array.from(index), "int32"), [H, W], "nearest");
}

/**
 * Apply `op` to the samples whose parameter is not null and leave the others
 * exactly as they are. `op` sees only those samples (gathered), with their
 * parameters; the results are put back in place. No tensors leak; when no
 * sample has parameters the result is a copy of x.
 */
export function applyPerSample<P>(
  name: string,
  x: tf.Tensor4D,
  params: readonly (P | null)[],
  op: (sub: tf.Tensor4D, params: P[]) => tf.Tensor4D,
): tf.Tensor4D {
  checkLength(name, x, params);
  const B = x.shape[0];
  const active: number[] = [];
  params.forEach((p, b) => p !== null && active.push(b));
  if (active.length === 0) return x.clone();
  return tf.tidy(() => {
    if (active.length === B) {
      const y = op(x, params as P[]);
      return y === x ? x.clone() : y;
    }
    const y = op(pickBatch(x, active), active.map((b) => params[b]!));
    // Back in place. tensorScatterUpdate is 2x faster on wasm than concat + pickBatch, but
    // tfjs-backend-cpu's writes into its input (4.22), so it is used only where it is sound.
    if (backendPasses("tensorScatterUpdate", scatterUpdateSound)) {
      return tf.tensorScatterUpdate(x, tf.tensor2d(active, [active.length, 1], "int32"), y);
    }
    const source = Int32Array.from({ length: B }, (_, b) => b);
    active.forEach((b, i) => (source[b] = B + i)); // output b from y (offset B in the concat) where active
    return pickBatch(tf.concat([x, y]), source);
  });
}

const probes = new Map<string, boolean>();

/**
 * Whether the active backend passes `check` (a tiny run of a kernel that some
 * backends get wrong), checked once per backend and kernel.
 */
export function backendPasses(kernel: string, check: () => boolean): boolean {
  const key = `${tf.getBackend()}/${kernel}`;
  let ok = probes.get(key);
  if (ok === undefined) {
    ok = tf.tidy(check);
    probes.set(key, ok);
  }
  return ok;
}

function scatterUpdateSound(): boolean {
  const x = tf.tensor4d([0, 1, 2], [3, 1, 1, 1]);
  const y = tf.tensorScatterUpdate(x, tf.tensor2d([1], [1, 1], "int32"), tf.tensor4d([5], [1, 1, 1, 1]));
  const out = y.dataSync();
  const input = x.dataSync();
  return [0, 5, 2].every((v, i) => out[i] === v) && [0, 1, 2].every((v, i) => input[i] === v);
}

/** Boolean flags as per-sample parameters: true -> fire, false -> unchanged. */
export function flags(fire: readonly boolean[]): (true | null)[] {
  return fire.map((f) => (f ? true : null));
}
