import { test } from "node:test";
import * as assert from "node:assert/strict";
import { balancedSubset, classCounts, heldOutSplit } from "../../src/core/eval/labelFraction";
import { Rng } from "../../src/core/random";

/** 10 classes, 500 examples each, shuffled. */
function labels(perClass = 500, classes = 10): Int32Array {
  const y = Int32Array.from({ length: perClass * classes }, (_, i) => i % classes);
  const p = new Rng(99).permutation(y.length);
  return p.map((i) => y[i]!);
}

test("label fractions take exactly the same count from every class", () => {
  const y = labels();
  for (const [fraction, perClass] of [
    [0.01, 5],
    [0.1, 50],
    [0.5, 250],
  ] as const) {
    const s = balancedSubset(y, fraction, 1);
    assert.deepEqual(classCounts(y, s, 10), new Array(10).fill(perClass), `fraction ${fraction}`);
    assert.equal(new Set(s).size, s.length, "no index twice");
    assert.ok(s.every((v, i) => i === 0 || v > s[i - 1]!), "ascending");
  }
  assert.equal(balancedSubset(y, 1, 1).length, y.length, "100% is the whole split");
});

test("label fractions are seeded, deterministic and nested", () => {
  const y = labels();
  assert.deepEqual(balancedSubset(y, 0.1, 5), balancedSubset(y, 0.1, 5));
  assert.notDeepEqual(balancedSubset(y, 0.1, 5), balancedSubset(y, 0.1, 6));
  const small = new Set(balancedSubset(y, 0.01, 5));
  const big = new Set(balancedSubset(y, 0.1, 5));
  for (const i of small) assert.ok(big.has(i), "the 1% subset lies inside the 10% subset");
});

test("every class keeps at least one example, however small the fraction", () => {
  const y = labels(20, 10);
  const s = balancedSubset(y, 0.001, 3);
  assert.deepEqual(classCounts(y, s, 10), new Array(10).fill(1));
  // A class smaller than the quota gives what it has.
  const uneven = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(classCounts(uneven, balancedSubset(uneven, 0.4, 1), 2), [2, 1]);
  assert.throws(() => balancedSubset(y, 0, 1), RangeError);
  assert.throws(() => balancedSubset(Int32Array.from([0, -1]), 0.5, 1), RangeError);
});

test("the held-out split is balanced, disjoint, complete and deterministic", () => {
  const y = labels();
  const { train, heldOut } = heldOutSplit(y, 0.1, 4);
  assert.deepEqual(classCounts(y, heldOut, 10), new Array(10).fill(50));
  assert.deepEqual(classCounts(y, train, 10), new Array(10).fill(450));
  assert.deepEqual([...train, ...heldOut].sort((a, b) => a - b), Array.from(y.keys()));
  assert.deepEqual(heldOutSplit(y, 0.1, 4), { train, heldOut });
  assert.notDeepEqual(heldOutSplit(y, 0.1, 5).heldOut, heldOut);
  // A class of one example keeps it for training.
  const tiny = heldOutSplit(Int32Array.from([0, 0, 0, 0, 1]), 0.5, 1);
  assert.deepEqual(classCounts([0, 0, 0, 0, 1], tiny.train, 2), [3, 1]);
});
