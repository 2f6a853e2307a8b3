/**
 * Jigsaw puzzles (Noroozi & Favaro 2016, "Unsupervised Learning of Visual
 * Representations by Solving Jigsaw Puzzles"): a view is cut into 3x3 tiles
 * (each a little smaller than its cell, at a random offset, and normalised
 * on its own: see pretext/tiles.ts), the tiles are shuffled by one of P
 * permutations chosen for maximal Hamming distance (pretext/permutations.ts),
 * each tile goes through the shared backbone (the paper's siamese "context-
 * free network"), and an MLP on the 9 concatenated tile features says which
 * permutation it was: a P-way classification.
 *
 * Each image's permutation and tile offsets are drawn from
 * Rng.derive(seed, "jigsaw", step, row), the row being the image's place in
 * the batch (ForwardContext.rowOffset + its place in the chunk), so a run is
 * reproducible and both passes of the gradient cache see the same puzzles.
 *
 * Outputs: logits [N, P] and the one-hot permutation class [N, P].
 */
import * as tf from "@tensorflow/tfjs-core";
import { mlp } from "../models/mlp";
import { Rng } from "../random";
import type { MethodFactory } from "./method";
import { softCrossEntropy } from "./pretext/crossEntropy";
import { jigsawPermutations } from "./pretext/permutations";
import { TILE_COUNT, normalizeTiles, shuffledTiles, tileLayout } from "./pretext/tiles";

/** Image `row` of step `step`'s batch: its permutation class and the offset of each of its tiles in its cell. */
export function jigsawPuzzle(seed: number, step: number, row: number, classes: number, slack: number): { label: number; offsets: number[] } {
  const rng = Rng.derive(seed, "jigsaw", step, row);
  const label = rng.int(classes);
  return { label, offsets: Array.from({ length: TILE_COUNT * 2 }, () => rng.int(slack + 1)) };
}

export const jigsaw: MethodFactory = ({ config, backbone, vars }) => {
  const { permutations: classes, gap, normalizeTiles: normalize, headHidden } = config.jigsaw;
  const perms = jigsawPermutations(classes, config.seed);
  const head = mlp(vars, "head", [TILE_COUNT * backbone.outDim, headHidden, classes], { batchNorm: true });
  return {
    forward(views, ctx, progress) {
      const x = views[0]!;
      const [n, h, w] = x.shape;
      const layout = tileLayout(h, w, gap);
      const puzzles = Array.from({ length: n }, (_, i) =>
        jigsawPuzzle(config.seed, progress.step, (ctx.rowOffset ?? 0) + i, classes, layout.cell - layout.tile),
      );
      const labels = Int32Array.from(puzzles, (p) => p.label);
      const tiles = shuffledTiles(x, Array.from(labels, (l) => perms[l]!), Int32Array.from(puzzles.flatMap((p) => p.offsets)), layout);
      const features = backbone.apply(normalize ? normalizeTiles(tiles) : tiles, ctx);
      const logits = head.apply(tf.reshape(features, [n, TILE_COUNT * backbone.outDim]), ctx);
      return { logits, target: tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), classes), "float32") };
    },
    objective: ({ logits, target }) => softCrossEntropy(logits!, target!),
  };
};
