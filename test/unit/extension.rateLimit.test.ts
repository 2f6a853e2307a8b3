import { test } from "node:test";
import * as assert from "node:assert/strict";
import { throttleByKey } from "../../src/extension/rateLimit";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("throttleByKey: a burst becomes one prompt call per key, steady calls at most one per interval", async () => {
  const calls: [string, number][] = [];
  const start = Date.now();
  const t = throttleByKey((key) => calls.push([key, Date.now() - start]), 100);
  for (let i = 0; i < 20; i++) t("a");
  t("b");
  await sleep(30);
  assert.deepEqual(calls.map((c) => c[0]).sort(), ["a", "b"], "the first call of each key is not held back");
  for (let i = 0; i < 25; i++) {
    t("a"); // every 10 ms for 250 ms: far more often than the interval
    await sleep(10);
  }
  await sleep(150);
  const times = calls.filter((c) => c[0] === "a").map((c) => c[1]);
  assert.ok(times.length >= 3 && times.length <= 5, `calls for "a" at ${times.join(", ")} ms`);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 95, `calls ${times[i - 1]} and ${times[i]} ms are too close`);
  t.cancel();
});
