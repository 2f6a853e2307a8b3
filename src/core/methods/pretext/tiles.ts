/**
 * Jigsaw's tiles (Noroozi & Favaro 2016): a view is cut into a 3x3 grid of
 * cells of floor(size / 3) pixels (the grid centred in the view), and from
 * each cell a tile a little smaller than the cell is taken at a random
 * offset (the paper: 64-pixel tiles in 75-pixel cells), so that neighbouring
 * tiles never share an edge and the puzzle cannot be solved by continuing
 * lines and textures across it. The tiles are then put in the order of a
 * permutation: slot k gets tile perm[k].
 */
import * as tf from "@tensorflow/tfjs-core";

export const GRID = 3;
export const TILE_COUNT = GRID * GRID;

export interface TileLayout {
  /** Side of a grid cell. */
  cell: number;
  /** Side of a tile (<= cell). */
  tile: number;
  /** Top-left corner of the grid in the view. */
  top: number;
  left: number;
}

/** `gap`: the fraction of the cell's side a tile gives up, leaving room for its random offset. */
export function tileLayout(height: number, width: number, gap: number): TileLayout {
  const cell = Math.floor(Math.min(height, width) / GRID);
  if (cell < 1) throw new Error(`jigsaw needs views of at least ${GRID}x${GRID} pixels, got ${height}x${width}`);
  const tile = Math.max(1, cell - Math.round(gap * cell));
  return { cell, tile, top: Math.floor((height - GRID * cell) / 2), left: Math.floor((width - GRID * cell) / 2) };
}

/**
 * The tiles of each image [N, H, W, C] in the order of its permutation:
 * [N * 9, tile, tile, C], image by image, slot by slot. `perms[i]` is image
 * i's permutation (slot k gets tile perms[i][k], tiles numbered row by row);
 * `offsets[(i * 9 + t) * 2 + {0, 1}]` is the (row, column) offset of tile t
 * of image i inside its cell, in [0, cell - tile]. One gather of the pixels;
 * no gradient flows to the images.
 */
export function shuffledTiles(x: tf.Tensor4D, perms: ArrayLike<number>[], offsets: Int32Array, layout: TileLayout): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const { cell, tile, top, left } = layout;
  const indices = new Int32Array(n * TILE_COUNT * tile * tile * 3);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (let slot = 0; slot < TILE_COUNT; slot++) {
      const t = perms[i]![slot]!;
      const y0 = top + Math.floor(t / GRID) * cell + offsets[(i * TILE_COUNT + t) * 2]!;
      const x0 = left + (t % GRID) * cell + offsets[(i * TILE_COUNT + t) * 2 + 1]!;
      for (let dy = 0; dy < tile; dy++) {
        for (let dx = 0; dx < tile; dx++) {
          indices[at++] = i;
          indices[at++] = y0 + dy;
          indices[at++] = x0 + dx;
        }
      }
    }
  }
  return tf.tidy(() => {
    const pixels = tf.gatherND(x, tf.tensor2d(indices, [indices.length / 3, 3], "int32"));
    return tf.reshape(pixels, [n * TILE_COUNT, tile, tile, c]) as tf.Tensor4D;
  });
}

/** Each tile [T, h, w, C] normalised to zero mean and unit variance per channel, as Noroozi & Favaro do, so low-level statistics cannot place it. */
export function normalizeTiles(tiles: tf.Tensor4D, eps = 1e-5): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(tiles, [1, 2], true);
    return tf.div(tf.sub(tiles, mean), tf.sqrt(tf.add(variance, eps))) as tf.Tensor4D;
  });
}
