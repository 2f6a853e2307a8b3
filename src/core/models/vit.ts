/**
 * A small Vision Transformer (Dosovitskiy et al. 2021) in the form MAE uses
 * (He et al. 2022): non-overlapping p×p patches embedded by one linear map
 * (the stride-p convolution written as patchify + matMul), fixed 2D sin-cos
 * position embeddings, pre-norm blocks (LayerNorm → multi-head
 * self-attention, LayerNorm → MLP with GELU, each with a residual), a final
 * LayerNorm.
 *
 * Pooling: `pool: "mean"` (the default) has no CLS token and returns the mean
 * of the normalised patch tokens; `pool: "cls"` prepends a learned CLS token
 * (position embedding zero, as MAE's) and returns its normalised output. Mean
 * pooling is the default because it needs no token that the objective has to
 * train on purpose: MAE's reconstruction loss reaches its CLS token only
 * indirectly through the decoder's attention, and the paper reports mean
 * pooling about as good as CLS (its fine-tuning uses global pooling).
 *
 * Stages: one per block ("block1" … "blockD"), each the final LayerNorm
 * applied to the tokens after that block, then pooled as `apply` pools (as
 * DINO's `get_intermediate_layers` for linear probes of the last blocks). The
 * last stage equals `apply`.
 *
 * Implementation notes for the wasm backend: linear layers use `dense`
 * (layers.ts), whose gradients stay on the backend's fast non-transposed 2D
 * matMul; attention is a batched matMul over [heads·N, T, dh] (wasm runs
 * batched matMuls in a plain loop: about a fifth of a step at the default
 * size); every transpose is 4D; MAE's visible patches are picked by a row
 * gather of the (untrained) patch vectors; mean pooling over tokens is an
 * average pool.
 */
import * as tf from "@tensorflow/tfjs-core";
import { ParamBuilder, gelu, globalAvgPool, layerNorm, dense, type DenseVars, type ForwardContext, type LayerNormVars } from "./layers";
import type { Backbone } from "./network";

export interface VitOptions {
  patchSize: number;
  depth: number;
  /** Token width D. */
  dim: number;
  heads: number;
  /** MLP hidden width = mlpRatio · D. */
  mlpRatio: number;
  pool: "mean" | "cls";
}

/** A ViT backbone plus what MAE needs: encoding a subset of the patches. */
export interface Vit extends Backbone {
  readonly options: VitOptions;
  /** Whether the token sequence starts with a CLS token. */
  readonly classToken: boolean;
  /**
   * Encoder on patch vectors [N, L, p·p·C] (patchify's output) of a gh × gw
   * grid. With `keep` (K patches per image as rows n·L + l of the flattened
   * [N·L] patches, image by image) only those patches are embedded and
   * encoded. Returns the final-normalised tokens [N, T, D]: the CLS token
   * first when there is one, then the (kept) patch tokens in `keep`'s order.
   * The patches are data, not trained: their selection has no gradient.
   */
  encode(patches: tf.Tensor3D, grid: { h: number; w: number }, ctx: ForwardContext, keep?: Int32Array): tf.Tensor3D;
}

/**
 * Images [N, H, W, C] → patch vectors [N, L, p·p·C], patches in raster order
 * (l = row · W/p + column), each vector in (y, x, channel) order as MAE's
 * patchify. Only reshapes and one 4D transpose.
 */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [n, height, width, c] = x.shape;
  if (height % p !== 0 || width % p !== 0) throw new Error(`a ${height}x${width} image does not split into ${p}x${p} patches`);
  const gh = height / p;
  const gw = width / p;
  return tf.tidy(() => {
    const rows = tf.reshape(x, [n * gh, p, gw, p * c]);
    return tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [n, gh * gw, p * p * c]);
  });
}

/** The inverse of patchify: [N, gh·gw, p·p·C] → [N, gh·p, gw·p, C]. */
export function unpatchify(patches: tf.Tensor3D, p: number, grid: { h: number; w: number }, channels: number): tf.Tensor4D {
  const n = patches.shape[0];
  return tf.tidy(() => {
    const rows = tf.reshape(patches, [n * grid.h, grid.w, p, p * channels]);
    return tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [n, grid.h * p, grid.w * p, channels]);
  });
}

const sinCosCache = new Map<string, Float32Array>();

/**
 * MAE's fixed 2D sin-cos position embeddings [h·w, dim] (get_2d_sincos_pos_embed):
 * the first dim/2 channels encode the column, the last dim/2 the row, each
 * as [sin(pos·ω_k), cos(pos·ω_k)] with ω_k = 10000^(−k/(dim/4)).
 */
export function sinCos2d(dim: number, h: number, w: number): Float32Array {
  if (dim % 4 !== 0) throw new Error(`2D sin-cos position embeddings need a width divisible by 4, not ${dim}`);
  const key = `${dim}:${h}:${w}`;
  const cached = sinCosCache.get(key);
  if (cached) return cached;
  const quarter = dim / 4;
  const out = new Float32Array(h * w * dim);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const row = out.subarray((i * w + j) * dim, (i * w + j + 1) * dim);
      for (let k = 0; k < quarter; k++) {
        const omega = 1 / Math.pow(10000, k / quarter);
        row[k] = Math.sin(j * omega);
        row[quarter + k] = Math.cos(j * omega);
        row[2 * quarter + k] = Math.sin(i * omega);
        row[3 * quarter + k] = Math.cos(i * omega);
      }
    }
  }
  sinCosCache.set(key, out);
  return out;
}

interface BlockVars {
  norm1: LayerNormVars;
  qkv: DenseVars;
  proj: DenseVars;
  norm2: LayerNormVars;
  fc1: DenseVars;
  fc2: DenseVars;
}

/** Multi-head self-attention on tokens [N·T, D] of N sequences of T. */
function attention(x: tf.Tensor2D, n: number, t: number, heads: number, v: BlockVars): tf.Tensor2D {
  const d = x.shape[1];
  const dh = d / heads;
  // qkv's output is [q | k | v], each heads × dh, as PyTorch's reshape(B, T, 3, H, dh). Heads and
  // q/k/v go first so q, k and v are contiguous slices: [3, H·N, T, dh], batch order (head, image).
  const qkv = tf.reshape(tf.transpose(tf.reshape(dense(x, v.qkv), [n, t, 3 * heads, dh]), [2, 0, 1, 3]), [3, heads * n, t, dh]);
  const [q, k, val] = tf.split(qkv, 3, 0).map((s) => tf.reshape(s, [heads * n, t, dh]) as tf.Tensor3D);
  const scores = tf.matMul(tf.mul(q!, 1 / Math.sqrt(dh)) as tf.Tensor3D, k!, false, true); // [H·N, T, T]
  const out = tf.matMul(tf.softmax(scores), val!); // [H·N, T, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(out, [heads, n, t, dh]), [1, 2, 0, 3]), [n * t, d]) as tf.Tensor2D;
  return dense(merged, v.proj);
}

/** A stack of pre-norm transformer blocks; apply maps tokens [N·T, D] of N sequences of T. */
export function transformerBlocks(b: ParamBuilder, prefix: string, depth: number, dim: number, heads: number, mlpRatio: number) {
  if (dim % heads !== 0) throw new Error(`${prefix}: ${heads} heads do not divide the width ${dim}`);
  const hidden = Math.round(dim * mlpRatio);
  const blocks: BlockVars[] = Array.from({ length: depth }, (_, i) => {
    const name = `${prefix}.${i}`;
    return {
      norm1: b.layerNorm(`${name}.norm1`, dim),
      qkv: b.xavierDense(`${name}.attn.qkv`, dim, 3 * dim),
      proj: b.xavierDense(`${name}.attn.proj`, dim, dim),
      norm2: b.layerNorm(`${name}.norm2`, dim),
      fc1: b.xavierDense(`${name}.mlp.fc1`, dim, hidden),
      fc2: b.xavierDense(`${name}.mlp.fc2`, hidden, dim),
    };
  });
  return {
    depth,
    /** Runs the blocks; `after(i, h)` sees the tokens after block i. */
    apply(x: tf.Tensor2D, n: number, t: number, after?: (i: number, h: tf.Tensor2D) => void): tf.Tensor2D {
      let h = x;
      blocks.forEach((v, i) => {
        h = tf.add(h, attention(layerNorm(h, v.norm1), n, t, heads, v));
        h = tf.add(h, dense(gelu(dense(layerNorm(h, v.norm2), v.fc1)), v.fc2));
        after?.(i, h);
      });
      return h;
    },
  };
}

/** Mean over the T tokens of [N·T, D] as an average pool (a generic slow loop on wasm otherwise). */
export function meanTokens(x: tf.Tensor2D, n: number, t: number): tf.Tensor2D {
  return globalAvgPool(tf.reshape(x, [n, t, 1, x.shape[1]]));
}

export function vit(b: ParamBuilder, prefix: string, inChannels: number, options: VitOptions): Vit {
  const { patchSize: p, dim, depth } = options;
  const classToken = options.pool === "cls";
  const patchEmbed = b.xavierDense(`${prefix}.patchEmbed`, p * p * inChannels, dim);
  const cls = classToken ? b.truncNormal(`${prefix}.cls`, [dim]) : undefined;
  const blocks = transformerBlocks(b, `${prefix}.blocks`, depth, dim, options.heads, options.mlpRatio);
  const norm = b.layerNorm(`${prefix}.norm`, dim);

  /** Encoder tokens before the final norm: [N·T, D], T = K (+1 with the CLS token). */
  const tokens = (patches: tf.Tensor3D, grid: { h: number; w: number }, keep: Int32Array | undefined, after?: (i: number, h: tf.Tensor2D) => void) => {
    const [n, l, pd] = patches.shape;
    let rows = tf.reshape(patches, [n * l, pd]) as tf.Tensor2D;
    let pos = tf.tensor2d(sinCos2d(dim, grid.h, grid.w), [l, dim]);
    if (keep) {
      // Row gathers of data (no gradient is taken through them, so wasm's missing UnsortedSegmentSum does not matter).
      rows = tf.gather(rows, tf.tensor1d(keep, "int32"));
      pos = tf.gather(pos, tf.tensor1d(keep.map((r) => r % l), "int32"));
    } else if (n > 1) {
      pos = tf.tile(pos, [n, 1]);
    }
    const k = rows.shape[0] / n;
    let x = tf.add(dense(rows, patchEmbed), pos) as tf.Tensor2D;
    let t = k;
    if (cls) {
      x = tf.reshape(tf.concat([tf.tile(tf.reshape(cls, [1, 1, dim]), [n, 1, 1]), tf.reshape(x, [n, k, dim])], 1), [n * (k + 1), dim]);
      t = k + 1;
    }
    return { h: blocks.apply(x, n, t, after), n, t };
  };
  const pool = (h: tf.Tensor2D, n: number, t: number): tf.Tensor2D =>
    cls ? (tf.reshape(tf.slice(tf.reshape(h, [n, t, dim]), [0, 0, 0], [n, 1, dim]), [n, dim]) as tf.Tensor2D) : meanTokens(h, n, t);
  const gridOf = (x: tf.Tensor4D) => ({ h: x.shape[1] / p, w: x.shape[2] / p });

  return {
    outDim: dim,
    options,
    classToken,
    stageNames: Array.from({ length: depth }, (_, i) => `block${i + 1}`),
    apply(x) {
      const { h, n, t } = tokens(patchify(x as tf.Tensor4D, p), gridOf(x as tf.Tensor4D), undefined);
      return pool(layerNorm(h, norm), n, t);
    },
    stages(x) {
      const n = x.shape[0];
      const pooled: tf.Tensor2D[] = [];
      const patches = patchify(x as tf.Tensor4D, p);
      const t = patches.shape[1] + (cls ? 1 : 0);
      tokens(patches, gridOf(x as tf.Tensor4D), undefined, (_, h) => pooled.push(pool(layerNorm(h, norm), n, t)));
      return pooled;
    },
    /** The normalised patch tokens as a map [N, H/p, W/p, D] (stride p; the CLS token left out). */
    featureMap(x) {
      const grid = gridOf(x as tf.Tensor4D);
      const { h, n, t } = tokens(patchify(x as tf.Tensor4D, p), grid, undefined);
      const all = tf.reshape(layerNorm(h, norm), [n, t, dim]);
      const patches = cls ? tf.slice(all, [0, 1, 0], [n, t - 1, dim]) : all;
      return tf.reshape(patches, [n, grid.h, grid.w, dim]) as tf.Tensor4D;
    },
    encode(patches, grid, _ctx, keep) {
      const { h, n, t } = tokens(patches, grid, keep);
      return tf.reshape(layerNorm(h, norm), [n, t, dim]) as tf.Tensor3D;
    },
  };
}

export function isVit(backbone: Backbone): backbone is Vit {
  return typeof (backbone as Partial<Vit>).encode === "function";
}
