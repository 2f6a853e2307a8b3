// Conv2D gradients for the `wasm` backend, expressed as forward convolutions so
// they run on its XNNPACK Conv2D. tfjs-backend-wasm 4.22 has no
// Conv2DBackpropFilter, so it cannot train a conv net at all, and its
// Conv2DBackpropInput is a naive loop that dominates a training step
// (DESIGN.md, "Backends").
import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  getKernel,
  registerKernel,
  Reshape,
  Slice,
  Transpose,
  unregisterKernel,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type KernelBackend,
  type KernelFunc,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from "@tensorflow/tfjs-core";

const BACKEND = "wasm";
type Shape4 = [number, number, number, number];
type WasmBackend = KernelBackend & {
  makeOutput(shape: number[], dtype: "float32", memoryOffset?: number, values?: Float32Array): TensorInfo;
};

interface Range {
  begin: number;
  size: number;
}

interface Window extends Range {
  padBefore: number;
  padAfter: number;
}

/**
 * Where a stride-1 conv must read along one spatial axis of length `size`: the
 * rows [start, start + length), zero outside the tensor. The part inside is
 * sliced out (only when it is not the whole axis); the rest becomes the conv's
 * own zero padding, which XNNPACK applies for free.
 */
function window(size: number, start: number, length: number): Window {
  const begin = Math.max(0, start);
  const end = Math.min(size, start + length);
  if (end <= begin) throw new Error("wasm conv2d gradient: padding larger than the receptive field is not supported");
  return { begin, size: end - begin, padBefore: begin - start, padAfter: start + length - end };
}

type Op = (name: string, inputs: NamedTensorInfoMap, attrs: object) => TensorInfo;

/**
 * Runs gradient pipeline `body` on raw wasm kernels. Tensor ops would allocate
 * engine-tracked tensors inside a kernel; raw kernels allocate only backend
 * data, which we free here with disposeData, as the wasm backend's own
 * composite kernels do. The result of `body` is handed to the engine.
 */
function pipeline(
  backend: KernelBackend,
  body: (op: Op, own: (t: TensorInfo) => TensorInfo) => TensorInfo,
): TensorInfo {
  const temps: TensorInfo[] = [];
  const own = (t: TensorInfo): TensorInfo => (temps.push(t), t);
  const op: Op = (name, inputs, attrs) => {
    const kernel = getKernel(name, BACKEND);
    if (!kernel) throw new Error(`wasm conv2d gradient: kernel ${name} is not registered for wasm`);
    return own(kernel.kernelFunc({ inputs, backend, attrs: attrs as NamedAttrMap }) as TensorInfo);
  };
  let result: TensorInfo | undefined;
  try {
    result = body(op, own);
    return result;
  } finally {
    // Reshape returns its input's dataId with the refCount bumped, so one
    // disposeData per kernel output is balanced even for shared data.
    for (const t of temps) if (t !== result) backend.disposeData(t.dataId);
  }
}

function crop(op: Op, t: TensorInfo, rows: Range, cols: Range): TensorInfo {
  const [n, h, w, c] = t.shape as Shape4;
  if (rows.begin === 0 && cols.begin === 0 && rows.size === h && cols.size === w) return t;
  return op(Slice, { x: t }, { begin: [0, rows.begin, cols.begin, 0], size: [n, rows.size, cols.size, c] });
}

function explicitPad(rows: Window, cols: Window): backend_util.ExplicitPadding {
  return [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]];
}

function convInfo(
  xShape: Shape4,
  filterShape: Shape4,
  attrs: Conv2DBackpropFilterAttrs | Conv2DBackpropInputAttrs,
): backend_util.Conv2DInfo {
  if (attrs.dataFormat === "NCHW") throw new Error("wasm conv2d gradient: only NHWC is supported");
  // The backprop kernels carry no dilation attr (tf.grad refuses dilated
  // conv2d), but guard against a caller that passes one anyway.
  const dilations = (attrs as { dilations?: number | number[] }).dilations;
  if (dilations !== undefined && [dilations].flat().some((d) => d !== 1)) {
    throw new Error("wasm conv2d gradient: dilations other than 1 are not supported");
  }
  return backend_util.computeConv2DInfo(xShape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

// dW[kh,kw,ci,co] = sum over b,i,j of x[b, i*sh + kh - top, j*sw + kw - left, ci] * dy[b,i,j,co].
// Viewing x^T [H, W, ci, b] as one image of H x (W*ci) pixels with b channels,
// output pixel (kh, kw*ci + c) of a stride-1 conv with dy^T [outH, outW, b, co]
// as the filter, dilated by (sh, sw*ci), reads exactly those x pixels, and the
// [1, kh, kw*ci, co] output is dW's memory layout. The 2-D transpose this
// needs is ~4x faster in the wasm backend than a 4-D one to [ci, H, W, b].
const backpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape as Shape4, a.filterShape, a);
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  const rows = window(inHeight, -info.padInfo.top, (outHeight - 1) * sh + info.filterHeight);
  const cols = window(inWidth * ci, -info.padInfo.left * ci, ((outWidth - 1) * sw + info.filterWidth) * ci);
  return pipeline(backend as KernelBackend, (op) => {
    const flat = op(Reshape, { x }, { shape: [batchSize, inHeight * inWidth * ci] });
    const xt = op(Transpose, { x: flat }, { perm: [1, 0] });
    const image = crop(op, op(Reshape, { x: xt }, { shape: [1, inHeight, inWidth * ci, batchSize] }), rows, cols);
    const dyt = op(Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
    const conv = { strides: 1, pad: explicitPad(rows, cols), dataFormat: "NHWC", dilations: [sh, sw * ci] };
    const dw = op(Conv2D, { x: image, filter: dyt }, conv);
    return op(Reshape, { x: dw }, { shape: a.filterShape });
  });
};

// dx[b,i,j,ci] = sum of dy[b,o,p,co] * W[kh,kw,ci,co] over o*sh + kh = i + top,
// p*sw + kw = j + left. Writing i + top = q*sh + rh, only the taps kh = rh,
// rh + sh, ... meet row q, so phase rh of dx is a stride-1 conv of dy with a
// sub-filter. Stacking all sh*sw phases as output channels makes it one conv
// whose pixel shuffle is dx: no multiplications by the zeros that a conv of
// the stride-dilated dy would spend 1 - 1/(sh*sw) of its time on (for 3x3,
// stride 2: 16 multiply-adds per 2x2 block of dx instead of 36).
interface PhaseAxis {
  taps: number; // ceil(k / stride): sub-filter size
  dy: Window; // dy rows the conv reads for blocks q0 .. q0 + blocks - 1
  blocks: number;
  skip: number; // top - q0*stride: shuffled rows before dx row 0
}

function phaseAxis(dySize: number, inSize: number, pad: number, stride: number, k: number): PhaseAxis {
  const taps = Math.ceil(k / stride);
  const q0 = Math.floor(pad / stride);
  const blocks = Math.floor((pad + inSize - 1) / stride) - q0 + 1;
  return { taps, blocks, skip: pad - q0 * stride, dy: window(dySize, q0 - (taps - 1), blocks + taps - 1) };
}

/** F[jh,jw,co,(rh,rw,ci)] = W[rh + sh*(th-1-jh), rw + sw*(tw-1-jw), ci, co], zero past the kernel. */
function phaseFilter(w: Float32Array, [kh, kw, ci, co]: Shape4, [sh, sw]: number[], [th, tw]: number[]): Float32Array {
  const fc = sh * sw * ci;
  const f = new Float32Array(th * tw * co * fc);
  for (let jh = 0; jh < th; jh++)
    for (let jw = 0; jw < tw; jw++)
      for (let rh = 0; rh < sh; rh++)
        for (let rw = 0; rw < sw; rw++) {
          const y = rh + sh * (th - 1 - jh);
          const x = rw + sw * (tw - 1 - jw);
          if (y >= kh || x >= kw) continue;
          const fBase = (jh * tw + jw) * co * fc + (rh * sw + rw) * ci;
          const wBase = (y * kw + x) * ci * co;
          for (let c = 0; c < ci; c++)
            for (let o = 0; o < co; o++) f[fBase + o * fc + c] = w[wBase + c * co + o]!;
        }
  return f;
}

const backpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as Conv2DBackpropInputAttrs;
  const info = convInfo(a.inputShape, filter.shape as Shape4, a);
  const { batchSize, inHeight, inWidth, inChannels, strideHeight: sh, strideWidth: sw } = info;
  const rows = phaseAxis(info.outHeight, inHeight, info.padInfo.top, sh, info.filterHeight);
  const cols = phaseAxis(info.outWidth, inWidth, info.padInfo.left, sw, info.filterWidth);
  const b = backend as WasmBackend;
  return pipeline(b, (op, own) => {
    const w = b.readSync(filter.dataId) as Float32Array;
    const weights = phaseFilter(w, filter.shape as Shape4, [sh, sw], [rows.taps, cols.taps]);
    const fShape = [rows.taps, cols.taps, info.outChannels, sh * sw * inChannels];
    const f = own(b.makeOutput(fShape, "float32", undefined, weights));
    const conv = { strides: 1, pad: explicitPad(rows.dy, cols.dy), dataFormat: "NHWC", dilations: 1 };
    let y = op(Conv2D, { x: crop(op, dy, rows.dy, cols.dy), filter: f }, conv);
    if (sh > 1 || sw > 1) {
      const phases = op(Reshape, { x: y }, { shape: [batchSize, rows.blocks, cols.blocks, sh, sw, inChannels] });
      const shuffled = op(Transpose, { x: phases }, { perm: [0, 1, 3, 2, 4, 5] });
      y = op(Reshape, { x: shuffled }, { shape: [batchSize, rows.blocks * sh, cols.blocks * sw, inChannels] });
    }
    return crop(op, y, { begin: rows.skip, size: inHeight }, { begin: cols.skip, size: inWidth });
  });
};

const kernels = [
  { kernelName: Conv2DBackpropFilter, kernelFunc: backpropFilter },
  { kernelName: Conv2DBackpropInput, kernelFunc: backpropInput },
];

/**
 * Registers XNNPACK-backed Conv2DBackpropFilter and Conv2DBackpropInput for the
 * `wasm` backend, replacing the stock ones. Safe to call more than once, and
 * before or after the wasm backend is initialised.
 */
export function registerWasmConvGradients(): void {
  for (const { kernelName, kernelFunc } of kernels) {
    const current = getKernel(kernelName, BACKEND);
    if (current?.kernelFunc === kernelFunc) continue;
    // registerKernel would overwrite too, but logs a duplicate warning.
    if (current) unregisterKernel(kernelName, BACKEND);
    registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
  }
}
