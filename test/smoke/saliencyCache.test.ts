// `ssl-studio cache` as a user runs it, on a folder of small PNGs with real
// SaliencyCut in worker threads: build, stats, verify, a damaged entry found
// and repaired, a damaged manifest rebuilt, the cache read back through the
// training lookup, clear; and the errors for bad input.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import { loadExperiment } from "../../src/core/config/load";
import { experimentCache, loadCacheImages } from "../../src/core/saliency/cache/experimentCache";
import { datasetImage } from "../../src/core/saliency/cache/datasetImage";
import { openSaliencyCache } from "../../src/core/saliency/cache/lookup";
import { manifestPath } from "../../src/core/saliency/cache/manifest";
import { CLI, runCli, tempDir } from "./cliRun";

const WORKER = path.join(path.dirname(CLI), "saliencyWorker.js");
const skip = !fs.existsSync(WORKER) && "dist/saliencyWorker.js not built (npm run build)";

/** A 64x64 PNG: a red disc at column cx on a noisy blue gradient (SaliencyCut needs some texture and size to find an object). */
async function disc(file: string, cx: number, seed: number): Promise<void> {
  const size = 64;
  const px = Buffer.alloc(size * size * 3);
  let s = seed;
  const noise = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 20;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = (x - cx) ** 2 + (y - 32) ** 2 < 14 ** 2 ? [220, 60, 30] : [30 + x, 90, 150 - y / 2];
      for (let k = 0; k < 3; k++) px[3 * (y * size + x) + k] = Math.max(0, Math.min(255, Math.round(c[k]! + noise())));
    }
  }
  await sharp(px, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
}

async function experiment(dir: string): Promise<{ file: string; images: string[] }> {
  const images = path.join(dir, "images");
  fs.mkdirSync(images);
  const files: string[] = [];
  for (let i = 0; i < 5; i++) {
    const file = path.join(images, `img${i}.png`);
    await disc(file, 24 + 4 * i, i + 1);
    files.push(file);
  }
  fs.writeFileSync(path.join(images, "broken.png"), "not a png");
  const file = path.join(dir, "discs.ssl.json");
  fs.writeFileSync(file, JSON.stringify({ method: "simclr", dataset: { format: "folder", train: "images" }, imageSize: 48, saliency: { cache: { dir: "cache" } } }, null, 2));
  return { file, images: files };
}

test("cache build, stats, verify, repair, lookup and clear on an image folder", { skip, timeout: 180_000 }, async (t) => {
  const dir = tempDir("saliency-cache");
  const { file } = await experiment(dir);
  const cacheDir = path.join(dir, "cache");

  const built = await runCli(["cache", "build", "discs.ssl.json", "--workers", "2"], dir);
  assert.equal(built.code, 0, built.stderr + built.stdout);
  assert.match(built.stdout, new RegExp(`cache: ${cacheDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  assert.match(built.stdout, /dataset: 5 training images, 48x48x3 \(1 unreadable file\(s\) skipped by the loader\)/);
  assert.match(built.stdout, /100% 5\/5 images/);
  assert.match(built.stdout, /done: 5 computed, 0 already cached, 0 failed of 5/);
  t.diagnostic(built.stdout.split("\n").find((l) => l.startsWith("done:"))!);

  const again = await runCli(["cache", "build", file], dir);
  assert.match(again.stdout, /done: 0 computed, 5 already cached, 0 failed of 5/, "a second build computes nothing");

  const stats = await runCli(["cache", "stats", file], dir);
  assert.equal(stats.code, 0, stats.stderr);
  assert.match(stats.stdout, /entries: 5, [\d.]+ KB on disk; 5 current, 0 stale/);
  assert.match(stats.stdout, /dataset: 5 images, 5 cached, 0 missing, 0 of them failed/);

  // The training lookup finds every image the loader decodes, with a real object mask.
  const loaded = loadExperiment(file);
  const { dataset } = await loadCacheImages(loaded);
  const cache = openSaliencyCache(cacheDir, experimentCache(loaded).params, { memoryMB: 0 });
  for (let i = 0; i < dataset.count; i++) {
    const entry = cache.get(datasetImage(dataset, i))!;
    assert.ok(entry, `image ${i} is cached`);
    const object = entry.mask.reduce((a, b) => a + b, 0);
    assert.ok(object > 0 && object < entry.mask.length, `image ${i}: the disc is found (${object} of ${entry.mask.length} pixels)`);
  }
  assert.deepEqual([cache.hits, cache.misses], [5, 0]);

  const clean = await runCli(["cache", "verify", file], dir);
  assert.equal(clean.code, 0, clean.stdout);
  assert.match(clean.stdout, /checked 5 entries: 0 damaged/);

  // Damage one entry: verify names it and the image it was for; build computes it again.
  const entries = fs.readdirSync(path.join(cacheDir, "entries"), { recursive: true }).map(String).filter((f) => f.endsWith(".bin"));
  const victim = path.join(cacheDir, "entries", entries[0]!);
  const bytes = fs.readFileSync(victim);
  bytes[bytes.length - 8]! ^= 0xff;
  fs.writeFileSync(victim, bytes);
  const damaged = await runCli(["cache", "verify", file], dir);
  assert.equal(damaged.code, 1);
  assert.match(damaged.stdout, /checked 5 entries: 1 damaged/);
  assert.match(damaged.stdout, new RegExp(`damaged: .*${path.basename(victim)} \\(image #\\d \\(.*img\\d\\.png\\)\\): `));
  assert.match(damaged.stdout, /run with --fix/);
  const repaired = await runCli(["cache", "build", file], dir);
  assert.match(repaired.stdout, /1 damaged entry computed again/);
  assert.match(repaired.stdout, /done: 1 computed, 4 already cached/);
  assert.equal((await runCli(["cache", "verify", file], dir)).code, 0);

  // A truncated manifest: stats still counts every entry, the next build rewrites it.
  const manifest = fs.readFileSync(manifestPath(cacheDir), "utf8");
  fs.writeFileSync(manifestPath(cacheDir), manifest.slice(0, manifest.length - 50));
  const afterTruncation = await runCli(["cache", "stats", file], dir);
  assert.equal(afterTruncation.code, 0, afterTruncation.stderr);
  assert.match(afterTruncation.stdout, /dataset: 5 images, 5 cached/);
  assert.match(afterTruncation.stdout, /manifest: manifest damaged \(the last line is incomplete\)/);
  const rebuilt = await runCli(["cache", "build", file], dir);
  assert.match(rebuilt.stdout, /repaired: manifest damaged/);
  assert.match(rebuilt.stdout, /done: 0 computed, 5 already cached/);
  assert.doesNotMatch((await runCli(["cache", "stats", file], dir)).stdout, /manifest:/);

  const cleared = await runCli(["cache", "clear", file], dir);
  assert.equal(cleared.code, 0);
  assert.match(cleared.stdout, /removed 5 entries \([\d.]+ KB\)/);
  assert.equal(fs.existsSync(cacheDir), false);
  assert.match((await runCli(["cache", "stats", file], dir)).stdout, /entries: 0,.*\n.*dataset: 5 images, 0 cached, 5 missing/);
});

test("cache commands report bad input as the other commands do", { skip }, async () => {
  const dir = tempDir("saliency-cache-bad");
  const missing = await runCli(["cache", "build", "nope.ssl.json"], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.ssl\.json:1: cannot read the file/);

  const broken = path.join(dir, "broken.ssl.json");
  fs.writeFileSync(broken, JSON.stringify({ method: "simclr", dataset: { format: "embedded", name: "fashion-mnist-5k" }, saliency: { threshold: 300 } }, null, 2));
  const invalid = await runCli(["cache", "stats", broken], dir);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /broken\.ssl\.json:\d+: field "saliency\.threshold"/);
  assert.equal(invalid.stderr.split("\n")[0], (await runCli(["pretrain", broken], dir)).stderr.split("\n")[0], "the same message as pretrain");

  for (const [args, message] of [
    [["cache"], /unknown cache command ""/],
    [["cache", "rebuild", broken], /unknown cache command "rebuild"/],
    [["cache", "build"], /needs exactly one experiment file/],
    [["cache", "build", broken, "--workers", "0"], /--workers must be a whole number ≥ 1/],
    [["cache", "stats", broken, "--fix"], /--fix is an option of cache verify/],
  ] as const) {
    const r = await runCli([...args], dir);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage:[\s\S]*ssl-studio cache build <file\.ssl\.json> \[--workers N\]/);
  }
});
