/**
 * The preview grid, shared by `ssl-studio preview` and the tests: one row per
 * image, the original then each view in columns. Each tile is upscaled by an
 * integer factor with nearest-neighbour, so every screen pixel of a cell is a
 * copy of one tile pixel (no smoothing hides what the augmentation did).
 * Cells are squares of the largest tile's side; smaller tiles (a local view,
 * an original at native size) sit centred in theirs.
 */
import sharp from "sharp";
import type { Tile } from "./preview";

/** A cell small enough to make out an augmentation is useless: tiles grow to at least this. */
export const MIN_CELL = 96;
export const GAP = 4;
/** White between cells. */
const BACKGROUND = 255;

export interface CellRect {
  /** Where the upscaled tile sits in the grid image. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GridLayout {
  rows: number;
  columns: number;
  scale: number;
  /** Side of a (square) cell. */
  cell: number;
  gap: number;
  width: number;
  height: number;
  /** cells[row][column]: the tile's rectangle. */
  cells: CellRect[][];
}

/** The smallest integer scale that makes a tile of side `side` at least MIN_CELL. */
export function defaultScale(side: number): number {
  return Math.max(1, Math.ceil(MIN_CELL / Math.max(1, side)));
}

export function gridLayout(sizes: { width: number; height: number }[][], options: { scale?: number; gap?: number } = {}): GridLayout {
  const rows = sizes.length;
  const columns = Math.max(0, ...sizes.map((r) => r.length));
  const side = Math.max(1, ...sizes.flat().flatMap((s) => [s.width, s.height]));
  const scale = options.scale ?? defaultScale(side);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`grid scale must be a positive integer, not ${scale}`);
  const gap = options.gap ?? GAP;
  const cell = side * scale;
  const cells = sizes.map((row, r) =>
    row.map((s, c) => {
      const width = s.width * scale;
      const height = s.height * scale;
      return {
        x: gap + c * (cell + gap) + Math.floor((cell - width) / 2),
        y: gap + r * (cell + gap) + Math.floor((cell - height) / 2),
        width,
        height,
      };
    }),
  );
  return { rows, columns, scale, cell, gap, width: gap + columns * (cell + gap), height: gap + rows * (cell + gap), cells };
}

/** The grid as a PNG (the tiles' channel count: 1 or 3). */
export async function composeGrid(tiles: Tile[][], options: { scale?: number; gap?: number } = {}): Promise<{ png: Buffer; layout: GridLayout }> {
  const layout = gridLayout(tiles, options);
  const channels = tiles[0]?.[0]?.channels ?? 3;
  if (tiles.flat().some((t) => t.channels !== channels)) throw new Error("grid tiles must all have the same number of channels");
  const out = Buffer.alloc(layout.width * layout.height * channels, BACKGROUND);
  tiles.forEach((row, r) =>
    row.forEach((tile, c) => {
      const rect = layout.cells[r]![c]!;
      for (let y = 0; y < rect.height; y++) {
        const src = Math.floor(y / layout.scale) * tile.width;
        const dst = ((rect.y + y) * layout.width + rect.x) * channels;
        for (let x = 0; x < rect.width; x++) {
          const s = (src + Math.floor(x / layout.scale)) * channels;
          for (let k = 0; k < channels; k++) out[dst + x * channels + k] = tile.pixels[s + k]!;
        }
      }
    }),
  );
  const img = sharp(out, { raw: { width: layout.width, height: layout.height, channels } });
  const png = await (channels === 1 ? img.toColourspace("b-w") : img).png().toBuffer();
  return { png, layout };
}
