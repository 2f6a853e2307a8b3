// `ssl-studio preview` as a user runs it: the grid PNG it writes, its
// determinism per seed, and config errors reported as `pretrain` reports them.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { runCli, tempDir, writeTinyExperiment } from "./cliRun";

const EXAMPLE = path.resolve(__dirname, "../../examples/fashion-mnist-simclr.ssl.json");

test("preview writes the grid of the example: 8 images x (original + 2 views), 28 px tiles at 4x", async () => {
  const dir = tempDir("preview");
  const out = path.join(dir, "grid.png");
  const result = await runCli(["preview", EXAMPLE, "--out", out], dir);
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.match(result.stdout, new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.match(result.stdout, /rows: 8 training images/);
  assert.match(result.stdout, /columns: 3: original, view 1, view 2/);
  assert.match(result.stdout, /cells: 112x112 px \(tiles scaled 4x/);
  assert.match(result.stdout, /seed 0, epoch 0/, "the config's seed by default");
  const meta = await sharp(out).metadata();
  // 4 px gaps around 112 px cells.
  assert.deepEqual([meta.width, meta.height, meta.channels], [4 + 3 * 116, 4 + 8 * 116, 1]);

  const again = path.join(dir, "again.png");
  assert.equal((await runCli(["preview", EXAMPLE, "--out", again, "--seed", "0"], dir)).code, 0);
  assert.ok(fs.readFileSync(out).equals(fs.readFileSync(again)), "same seed: the same bytes");
  const other = path.join(dir, "other.png");
  const r = await runCli(["preview", EXAMPLE, "--out", other, "--seed", "1", "--count", "3", "--epoch", "4", "--scale", "2"], dir);
  assert.equal(r.code, 0, r.stderr);
  const m = await sharp(other).metadata();
  assert.deepEqual([m.width, m.height], [4 + 3 * 60, 4 + 3 * 60]);
  const differentSeed = path.join(dir, "different.png");
  assert.equal((await runCli(["preview", EXAMPLE, "--out", differentSeed, "--seed", "1"], dir)).code, 0);
  assert.ok(!fs.readFileSync(out).equals(fs.readFileSync(differentSeed)), "another seed: other images and draws");
});

test("a broken policy: the same file:line, field and exit code as pretrain", async () => {
  const dir = tempDir("preview-bad");
  const file = writeTinyExperiment(dir, "bad", {
    augment: { views: [{ count: 2, ops: [{ op: "randomResizedCrop" }, { op: "rotate", p: 1.5 }] }] },
  });
  const preview = await runCli(["preview", file, "--out", path.join(dir, "g.png")], dir);
  const pretrain = await runCli(["pretrain", file], dir);
  assert.notEqual(preview.code, 0);
  assert.equal(preview.code, pretrain.code);
  const line = preview.stderr.split("\n")[0]!;
  assert.match(line, new RegExp(`${path.basename(file).replace(".", "\\.")}:\\d+: field "augment\\.views\\.0\\.ops\\.1\\.p"`));
  assert.equal(line, pretrain.stderr.split("\n")[0]);
  assert.ok(!fs.existsSync(path.join(dir, "g.png")));
});

test("preview usage errors exit 2", async () => {
  const dir = tempDir("preview-usage");
  assert.equal((await runCli(["preview"], dir)).code, 2);
  const r = await runCli(["preview", EXAMPLE, "--count", "0"], dir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--count/);
  const e = await runCli(["preview", EXAMPLE, "--epoch", "10", "--out", path.join(dir, "x.png")], dir);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /past the last epoch \(9\)/);
});
