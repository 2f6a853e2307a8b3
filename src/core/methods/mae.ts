/**
 * MAE (He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners"):
 * each image's patches are shuffled and only the first round((1 − maskRatio)
 * · L) are encoded (the ViT backbone never sees the rest); a light decoder
 * gets the encoded visible tokens back in their places, a shared learned mask
 * token in every hidden place, its own fixed sin-cos position embeddings, and
 * predicts every patch's pixels. The loss is the mean squared error over the
 * hidden patches only, against pixels normalised per patch (normPixLoss).
 *
 * Masks are drawn in JS from Rng.derive(seed, "mae", step, row), row being
 * the image's row in the whole batch (ForwardContext.rowOffset + its row in
 * the chunk): the gradient cache's two passes, any chunking, and a resumed
 * run draw the same masks. Token selection and un-shuffling are row
 * gathers.
 *
 * forward returns the per-image loss [N]; objective is its mean, which is
 * MAE's mean over all hidden patches of the batch since every image hides
 * the same number.
 */
import * as tf from "@tensorflow/tfjs-core";
import { toBytes, type Tile } from "../augment/preview";
import { Rng } from "../random";
import { layerNorm, dense, type ForwardContext } from "../models/layers";
import { isVit, patchify, sinCos2d, transformerBlocks, unpatchify } from "../models/vit";
import type { MethodFactory, SnapshotColumn, SslMethod } from "./method";

/** Patches the encoder sees: round((1 − maskRatio) · L), kept within [1, L − 1] so both sets are non-empty. */
export function visibleCount(patches: number, maskRatio: number): number {
  return Math.min(patches - 1, Math.max(1, Math.round((1 - maskRatio) * patches)));
}

export interface MaeMasks {
  /** Images N, patches per image L, visible patches per image K. */
  n: number;
  patches: number;
  keep: number;
  /** Visible patch indices of each image, ascending. */
  visible: Int32Array[];
  /** [N, L]: 1 where the patch is hidden (MAE's convention), 0 where visible. */
  mask: Float32Array;
  /** [N·K]: the visible patches as rows n·L + l of the flattened patches, image by image. */
  keepRows: Int32Array;
  /** [N·L]: for each patch, its row n·K + k among the visible tokens, or N·K (a zero row) when hidden. */
  unshuffle: Int32Array;
}

/** Per image, a random `keep` of `patches` patches stay visible; `rngFor(i)` is image i's stream. */
export function drawMasks(n: number, patches: number, keep: number, rngFor: (image: number) => Rng): MaeMasks {
  const mask = new Float32Array(n * patches).fill(1);
  const keepRows = new Int32Array(n * keep);
  const unshuffle = new Int32Array(n * patches).fill(n * keep);
  const visible: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = rngFor(i).permutation(patches).slice(0, keep).sort();
    visible.push(v);
    v.forEach((l, k) => {
      mask[i * patches + l] = 0;
      keepRows[i * keep + k] = i * patches + l;
      unshuffle[i * patches + l] = i * keep + k;
    });
  }
  return { n, patches, keep, visible, mask, keepRows, unshuffle };
}

/**
 * Visible tokens [N·K, D] back in their places among all patches [N·L, D],
 * zero rows where hidden. Forward and gradient are both row gathers (the
 * stock gradient of a gather is UnsortedSegmentSum, missing on wasm).
 */
function unshuffle(visible: tf.Tensor2D, masks: MaeMasks): tf.Tensor2D {
  // The index tensors are made inside: tfjs disposes what the forward pass made but did not save before back-propagating.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const v = args[0] as tf.Tensor2D;
    return {
      value: tf.gather(tf.concat([v, tf.zeros([1, v.shape[1]])]), tf.tensor1d(masks.unshuffle, "int32")) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D) => tf.gather(dy, tf.tensor1d(masks.keepRows, "int32")),
    };
  });
  return op(visible);
}

/** The training masks of the images at rows [rowOffset, rowOffset + n) of the batch at `step`. */
export function trainingMasks(seed: number, step: number, rowOffset: number, n: number, patches: number, maskRatio: number): MaeMasks {
  return drawMasks(n, patches, visibleCount(patches, maskRatio), (i) => Rng.derive(seed, "mae", step, rowOffset + i));
}

/**
 * MAE's norm_pix_loss target: each patch minus its mean, over
 * sqrt(variance + 1e-6), with the unbiased variance (torch's .var() default,
 * as MAE's code).
 */
export function normalizePatches(patches: tf.Tensor3D, eps = 1e-6): tf.Tensor3D {
  return tf.tidy(() => {
    const { mean, std } = patchStats(patches, eps);
    return tf.div(tf.sub(patches, mean), std) as tf.Tensor3D;
  });
}

function patchStats(patches: tf.Tensor3D, eps: number) {
  const pd = patches.shape[2];
  const mean = tf.mean(patches, -1, true);
  const variance = tf.div(tf.sum(tf.square(tf.sub(patches, mean)), -1, true), Math.max(1, pd - 1));
  return { mean, std: tf.sqrt(tf.add(variance, eps)) };
}

/** Per-image loss [N]: the mean over hidden patches (mask 1) of the per-patch mean squared error. */
export function maeLoss(pred: tf.Tensor3D, target: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const perPatch = tf.mean(tf.square(tf.sub(pred, target)), -1); // [N, L]
    return tf.div(tf.sum(tf.mul(perPatch, mask), 1), tf.sum(mask, 1)) as tf.Tensor1D;
  });
}

export const mae: MethodFactory = ({ config, backbone, vars, inChannels }) => {
  if (!isVit(backbone)) throw new Error('mae needs the vit backbone (model.backbone: "vit")');
  const c = config.mae;
  const p = backbone.options.patchSize;
  const width = c.decoderWidth;
  const patchDim = p * p * inChannels;
  const embedLayer = vars.xavierDense("decoder.embed", backbone.outDim, width);
  const maskToken = vars.truncNormal("decoder.maskToken", [width]);
  const blocks = transformerBlocks(vars, "decoder.blocks", c.decoderDepth, width, c.decoderHeads, backbone.options.mlpRatio);
  const norm = vars.layerNorm("decoder.norm", width);
  const predLayer = vars.xavierDense("decoder.pred", width, patchDim);

  /** Encoder on the visible patches, decoder on all: predicted patches [N, L, p·p·C], the patches, the mask [N, L]. */
  const reconstruct = (x: tf.Tensor4D, masks: MaeMasks, ctx: ForwardContext) => {
    const [n, height, w] = x.shape;
    const grid = { h: height / p, w: w / p };
    const { patches: l, keep } = masks;
    const patches = patchify(x, p);
    const encoded = backbone.encode(patches, grid, ctx, masks.keepRows); // [N, T, D]
    const t = encoded.shape[1];
    const y = dense(tf.reshape(encoded, [n * t, backbone.outDim]) as tf.Tensor2D, embedLayer);
    const cls = backbone.classToken ? tf.slice(tf.reshape(y, [n, t, width]), [0, 0, 0], [n, 1, width]) : undefined;
    const visible = cls ? (tf.reshape(tf.slice(tf.reshape(y, [n, t, width]), [0, 1, 0], [n, keep, width]), [n * keep, width]) as tf.Tensor2D) : y;
    const mask = tf.tensor2d(masks.mask, [n, l]);
    // Visible tokens back in their places, the mask token in the hidden ones, then the decoder's positions.
    const placed = tf.add(unshuffle(visible, masks), tf.mul(tf.reshape(mask, [n * l, 1]), maskToken));
    const full = tf.add(tf.reshape(placed, [n, l, width]), tf.tensor2d(sinCos2d(width, grid.h, grid.w), [l, width])) as tf.Tensor3D;
    const tokens = cls ? tf.concat([cls as tf.Tensor3D, full], 1) : full;
    const tt = tokens.shape[1];
    const h = layerNorm(blocks.apply(tf.reshape(tokens, [n * tt, width]), n, tt), norm);
    let pred = tf.reshape(dense(h, predLayer), [n, tt, patchDim]) as tf.Tensor3D;
    if (cls) pred = tf.slice(pred, [0, 1, 0], [n, l, patchDim]);
    return { pred, patches, mask };
  };
  const patchesOf = (x: tf.Tensor4D) => (x.shape[1] / p) * (x.shape[2] / p);

  const method: SslMethod = {
    forward(views, ctx, progress) {
      const x = views[0]!;
      const masks = trainingMasks(config.seed, progress.step, ctx.rowOffset ?? 0, x.shape[0], patchesOf(x), c.maskRatio);
      const { pred, patches, mask } = reconstruct(x, masks, ctx);
      return { loss: maeLoss(pred, c.normPixLoss ? normalizePatches(patches) : patches, mask) };
    },
    objective: ({ loss }) => tf.mean(loss!) as tf.Scalar,
    snapshot(images, seed) {
      const [n, height, w, channels] = images.shape;
      const grid = { h: height / p, w: w / p };
      const masks = drawMasks(n, grid.h * grid.w, visibleCount(grid.h * grid.w, c.maskRatio), (i) => Rng.derive(seed, "mae-snapshot", i));
      const [masked, recon] = tf.tidy(() => {
        const { pred, patches, mask } = reconstruct(images, masks, { training: false, updates: [] });
        // With normPixLoss the prediction is in per-patch normalised units: shown with the true patch's mean and spread.
        let pixels = pred;
        if (c.normPixLoss) {
          const { mean, std } = patchStats(patches, 1e-6);
          pixels = tf.add(tf.mul(pred, std), mean) as tf.Tensor3D;
        }
        const hidden = tf.reshape(mask, [n, grid.h * grid.w, 1]);
        const shown = tf.mul(patches, tf.sub(1, hidden));
        return [
          unpatchify(tf.add(shown, tf.mul(hidden, 0.5)) as tf.Tensor3D, p, grid, channels).dataSync() as Float32Array,
          unpatchify(tf.add(shown, tf.mul(hidden, pixels)) as tf.Tensor3D, p, grid, channels).dataSync() as Float32Array,
        ];
      });
      const tiles = (values: Float32Array): Tile[] => {
        const per = height * w * channels;
        return Array.from({ length: n }, (_, i) => ({ width: w, height, channels: channels as 1 | 3, pixels: toBytes(values.subarray(i * per, (i + 1) * per)) }));
      };
      return [
        { label: "original", tiles: tiles(images.dataSync() as Float32Array) },
        { label: "masked", tiles: tiles(masked) },
        { label: "reconstruction", tiles: tiles(recon) },
      ] satisfies SnapshotColumn[];
    },
  };
  return method;
};

export interface MaeReconstructions {
  /** The images as given. */
  original: Tile[];
  /** The visible patches; hidden ones mid-grey. */
  masked: Tile[];
  /** The visible patches with the decoder's prediction in the hidden ones. */
  reconstruction: Tile[];
}

/**
 * MAE's reconstructions of `images` ([N, H, W, C] in [0, 1], H and W
 * multiples of the patch size) with masks drawn from `seed`, as uint8 tiles;
 * snapshotPng(method.snapshot(images, seed)) gives the same as a PNG grid.
 */
export function maeReconstructions(method: SslMethod, images: tf.Tensor4D, seed: number): MaeReconstructions {
  if (!method.snapshot) throw new Error("this method has no reconstructions to show");
  const columns = Object.fromEntries(method.snapshot(images, seed).map((col) => [col.label, col.tiles]));
  const { original, masked, reconstruction } = columns;
  if (!original || !masked || !reconstruction) throw new Error("not an MAE snapshot");
  return { original, masked, reconstruction };
}
