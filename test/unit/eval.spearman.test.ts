import { test } from "node:test";
import * as assert from "node:assert/strict";
import { averageRanks, spearman } from "../../src/core/eval/spearman";

test("average ranks give tied values the mean of the ranks they span", () => {
  assert.deepEqual([...averageRanks([10, 20, 20, 30, 20])], [1, 3, 3, 5, 3]);
  assert.deepEqual([...averageRanks([0.5, -1, 0.5, 0.5])], [3, 1, 3, 3]);
  assert.deepEqual([...averageRanks([7])], [1]);
});

test("spearman against hand-computed values", () => {
  // y ranks [1, 2, 3.5, 5, 3.5]: rho = 8 / sqrt(10 * 9.5) (scipy.stats.spearmanr gives 0.8207826816681233).
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 8 / Math.sqrt(95)) < 1e-12);
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) - 0.8207826816681233) < 1e-12);
  // Any increasing map is a perfect rank correlation; a decreasing one is -1.
  assert.ok(Math.abs(spearman([1, 2, 3, 4], [1, 8, 27, 1000]) - 1) < 1e-12);
  assert.ok(Math.abs(spearman([0.1, 0.4, 0.2, 0.3], [4, 1, 3, 2]) + 1) < 1e-12);
  // Ties on both sides: x ranks [1.5, 1.5, 3, 4], y ranks [1, 2.5, 2.5, 4], both with mean 2.5:
  // sum dx*dy = 1.5 + 0 + 0 + 2.25 = 3.75, sum dx^2 = sum dy^2 = 4.5, rho = 3.75 / 4.5 = 5/6.
  assert.ok(Math.abs(spearman([1, 1, 2, 3], [1, 2, 2, 3]) - 5 / 6) < 1e-12);
});

test("spearman is NaN when a side is constant or too short, and refuses unequal lengths", () => {
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])));
  assert.ok(Number.isNaN(spearman([1], [2])));
  assert.throws(() => spearman([1, 2], [1, 2, 3]), RangeError);
  assert.throws(() => averageRanks([1, NaN]), RangeError);
});
