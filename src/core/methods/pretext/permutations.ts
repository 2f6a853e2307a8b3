/**
 * Jigsaw's permutation set (Noroozi & Favaro 2016, algorithm 1): the classes
 * of the puzzle are permutations of the 9 tiles chosen to be far apart in
 * Hamming distance, so that no two classes differ by a swap of two tiles.
 *
 * Greedy, as in the paper: start from a random permutation, then repeatedly
 * add the candidate farthest from the set chosen so far. "Farthest" here is
 * the largest *minimum* Hamming distance to the chosen set (maximin), ties
 * broken by the largest *sum* of distances (the paper's criterion, which on
 * its own lets the minimum drop to 2), then by lexicographic order. So the
 * set maximises its minimum distance first and its mean distance second.
 *
 * All 9! = 362,880 candidates are kept with their minimum distance to the
 * chosen set, lazily (the paper's running array over all candidates costs a
 * full pass per added permutation): only the candidates
 * at the current best level L, whose minimum is still >= L, are compared
 * with each newly chosen permutation. One that falls below L is parked with
 * its minimum and a note of how many chosen permutations it has seen, and is
 * brought up to date only if the level ever comes down to it. Each
 * candidate is packed as 4-bit tiles in two integers, so a distance is a few
 * bit operations (count the non-zero nibbles of an XOR). On a shared 2-core
 * machine: 100 permutations in ~0.3 s, 1000 in ~1.6-2.8 s (the eager full
 * pass per permutation: ~2.8-3 s), once per process (cached).
 */
import { Rng } from "../../random";

const TILES = 9;

/** All permutations of 0..n-1 in lexicographic order, flat [n!, n]. */
export function allPermutations(n: number): Uint8Array {
  let count = 1;
  for (let i = 2; i <= n; i++) count *= i;
  const out = new Uint8Array(count * n);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let k = 0; k < count; k++) {
    out.set(p, k * n);
    // Next permutation in lexicographic order.
    let i = n - 2;
    while (i >= 0 && p[i]! > p[i + 1]!) i--;
    if (i < 0) break;
    let j = n - 1;
    while (p[j]! < p[i]!) j--;
    [p[i], p[j]] = [p[j]!, p[i]!];
    for (let a = i + 1, b = n - 1; a < b; a++, b--) [p[a], p[b]] = [p[b]!, p[a]!];
  }
  return out;
}

/** Hamming distance between two permutations: the positions where they differ. */
export function hamming(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) d++;
  return d;
}

interface Candidates {
  perms: Uint8Array;
  /** Tiles 0..7 of each permutation as nibbles (tile i in bits 4i..4i+3). */
  low: Int32Array;
  /** Tile 8. */
  high: Uint8Array;
}
let candidatesCache: Candidates | undefined;

function candidates(): Candidates {
  if (candidatesCache) return candidatesCache;
  const perms = allPermutations(TILES);
  const total = perms.length / TILES;
  const low = new Int32Array(total);
  const high = new Uint8Array(total);
  for (let k = 0; k < total; k++) {
    let word = 0;
    for (let i = 0; i < 8; i++) word |= perms[k * TILES + i]! << (4 * i);
    low[k] = word;
    high[k] = perms[k * TILES + 8]!;
  }
  return (candidatesCache = { perms, low, high });
}

const sets = new Map<string, Uint8Array[]>();

/**
 * `count` permutations of the 9 tiles by the greedy maximal-Hamming-distance
 * selection, deterministic from `seed` (which picks the first one). Computed
 * once per (count, seed) and cached for the process.
 */
export function jigsawPermutations(count: number, seed: number): Uint8Array[] {
  const key = `${count}/${seed}`;
  const cached = sets.get(key);
  if (cached) return cached;
  const { perms, low, high } = candidates();
  const total = high.length;
  if (!(count >= 1 && count <= total)) throw new RangeError(`jigsaw: the permutation set size must be in [1, ${total}], got ${count}`);

  const chosen = new Int32Array(count);
  let size = 0;
  // minDist[k] and sumDist[k] are exact over chosen[0 .. seen[k]).
  const minDist = new Uint8Array(total).fill(TILES);
  const sumDist = new Int32Array(total);
  const seen = new Int32Array(total);
  const parked: number[][] = Array.from({ length: TILES + 1 }, () => []);
  let level = TILES;
  let alive: ArrayLike<number> = Int32Array.from({ length: total }, (_, k) => k);
  const kept = new Int32Array(total);

  chosen[size++] = Rng.derive(seed, "jigsaw-permutations").int(total);
  while (size < count) {
    let next = alive;
    let keptCount = 0;
    let best = -1;
    let bestMin = -1;
    let bestSum = -1;
    for (;;) {
      for (let j = 0; j < next.length; j++) {
        const k = next[j]!;
        let m = minDist[k]!;
        let sum = sumDist[k]!;
        let s = seen[k]!;
        const kLow = low[k]!;
        const kHigh = high[k]!;
        for (; s < size && m >= level; s++) {
          // Hamming distance: the non-zero nibbles of the XOR of tiles 0..7 (each nibble's bits ORed into its lowest bit, then added up), plus tile 8.
          const q = chosen[s]!;
          let x = kLow ^ low[q]!;
          x |= x >>> 1;
          x |= x >>> 2;
          const d = (Math.imul(x & 0x11111111, 0x11111111) >>> 28) + (kHigh === high[q] ? 0 : 1);
          sum += d;
          if (d < m) m = d;
        }
        minDist[k] = m;
        sumDist[k] = sum;
        seen[k] = s;
        if (m < level) {
          if (m > 0) parked[m]!.push(k); // 0: a chosen permutation, out for good
          continue;
        }
        kept[keptCount++] = k;
        // (All kept candidates are at the level: the level only comes down when none is left above it.)
        if (m > bestMin || (m === bestMin && (sum > bestSum || (sum === bestSum && k < best)))) {
          best = k;
          bestMin = m;
          bestSum = sum;
        }
      }
      if (keptCount > 0) break;
      // Nobody is left at this level: come down one and wake the candidates parked there.
      level--;
      next = parked[level]!;
      parked[level] = [];
    }
    alive = kept.slice(0, keptCount);
    chosen[size++] = best;
  }
  const set = Array.from(chosen, (k) => perms.slice(k * TILES, (k + 1) * TILES));
  sets.set(key, set);
  return set;
}

/** Minimum and mean pairwise Hamming distance of a set. */
export function hammingStats(set: ArrayLike<number>[]): { min: number; mean: number } {
  let min = Infinity;
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < set.length; a++) {
    for (let b = a + 1; b < set.length; b++) {
      const d = hamming(set[a]!, set[b]!);
      min = Math.min(min, d);
      sum += d;
      pairs++;
    }
  }
  return { min, mean: pairs ? sum / pairs : 0 };
}
