// The saliencyCut op in a real training run of the built CLI: refused with the
// build command when the cache is missing (and no run folder made), fed from
// the cache after `ssl-studio cache build` with the hits in metrics.jsonl,
// computed on the fly with "onMiss": "compute", and shown by `ssl-studio preview`.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { MetricRow } from "../../src/protocol/runFiles";
import { runCli, tempDir, writeTinyExperiment } from "./cliRun";

const TINY = {
  limit: { train: 64, test: 64 },
  augment: { preset: "saliencycut-p0.5-default" },
  saliency: { cache: { dir: "cache" } },
  train: { epochs: 1, batchSize: 32, optimizer: "sgd", lr: 0.1, warmupEpochs: 0, logEvery: 1 },
  eval: { every: 1, protocols: ["knn"], final: ["knn"] },
};

function trainRows(dir: string): Extract<MetricRow, { kind: "train" }>[] {
  const runs = path.join(dir, "runs", "sal");
  const [run] = fs.readdirSync(runs);
  return fs
    .readFileSync(path.join(runs, run!, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as MetricRow)
    .flatMap((r) => (r.kind === "train" ? [r] : []));
}

test("saliencyCut in training: missing cache refused, cache hits counted, misses computed when allowed", { timeout: 300_000 }, async () => {
  const dir = tempDir("saliency-train");
  writeTinyExperiment(dir, "sal", TINY);

  const refused = await runCli(["pretrain", "sal.ssl.json"], dir);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /64 of 64 images have no SaliencyCut result/);
  assert.match(refused.stderr, /ssl-studio cache build .*sal\.ssl\.json/);
  assert.equal(fs.existsSync(path.join(dir, "runs")), false, "nothing to clean up after a refused start");

  const preview = await runCli(["preview", "sal.ssl.json", "--out", "grid.png", "--count", "2"], dir);
  assert.equal(preview.code, 0, preview.stderr);
  assert.ok(fs.statSync(path.join(dir, "grid.png")).size > 0);

  const built = await runCli(["cache", "build", "sal.ssl.json", "--workers", "1"], dir);
  assert.equal(built.code, 0, built.stderr + built.stdout);
  const trained = await runCli(["pretrain", "sal.ssl.json"], dir);
  assert.equal(trained.code, 0, trained.stderr);
  const last = trainRows(dir).at(-1)!;
  // Two views of 32 images per step, p = 0.5: about 32 lookups per step, every one a hit.
  assert.ok(last.saliency && last.saliency.hits > 10, JSON.stringify(last.saliency));
  assert.equal(last.saliency.misses, 0);

  fs.rmSync(path.join(dir, "runs"), { recursive: true });
  fs.rmSync(path.join(dir, "cache"), { recursive: true });
  writeTinyExperiment(dir, "sal", { ...TINY, saliency: { cache: { dir: "cache", onMiss: "compute" } } });
  const computed = await runCli(["pretrain", "sal.ssl.json"], dir);
  assert.equal(computed.code, 0, computed.stderr);
  const row = trainRows(dir).at(-1)!;
  assert.equal(row.saliency?.hits, 0);
  assert.ok(row.saliency!.misses > 10);
});
