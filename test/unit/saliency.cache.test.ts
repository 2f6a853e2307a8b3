// The offline SaliencyCut cache (src/core/saliency/cache/): keys, entry files,
// the manifest and its repair, build (resume, failures, cancel, repair),
// stats, verify, clear and the training lookup. SaliencyCut itself is
// replaced by a fast deterministic fake injected into buildCache.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SaliencyParams } from "../../src/core/config/saliencySchema";
import type { ImageDataset } from "../../src/core/data/dataset";
import { SALIENCY_VERSION } from "../../src/core/saliency/saliencyCut";
import type { RgbImage } from "../../src/core/saliency/types";
import { buildCache, type BuildProgress, type ComputeSaliency } from "../../src/core/saliency/cache/build";
import { loadCacheState } from "../../src/core/saliency/cache/cacheState";
import { clearCache } from "../../src/core/saliency/cache/clear";
import { datasetImage, imageKeys, toRgb } from "../../src/core/saliency/cache/datasetImage";
import { CorruptEntryError, decodeEntry, encodeEntry, type CacheEntry, type EntryHeader } from "../../src/core/saliency/cache/entryFormat";
import { entryPath, readEntry, writeEntry } from "../../src/core/saliency/cache/entryStore";
import { cacheKey, canonicalJson, pixelHash } from "../../src/core/saliency/cache/key";
import { openSaliencyCache } from "../../src/core/saliency/cache/lookup";
import { manifestPath, readManifest } from "../../src/core/saliency/cache/manifest";
import { cacheStats } from "../../src/core/saliency/cache/stats";
import { verifyCache } from "../../src/core/saliency/cache/verify";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-saliency-cache-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const cacheDir = () => path.join(tmp, `cache-${dirs++}`);

const PARAMS: SaliencyParams = { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" };

/** `count` different w x h images; image i is a gradient offset by i, so its first byte is 13*i mod 256. */
function dataset(count: number, w = 12, h = 10, channels: 1 | 3 = 3): ImageDataset {
  const per = w * h * channels;
  const pixels = new Uint8Array(count * per);
  for (let i = 0; i < count; i++) for (let p = 0; p < per; p++) pixels[i * per + p] = (p * 7 + i * 13) & 0xff;
  return { source: "test", count, width: w, height: h, channels, pixels };
}

/** A deterministic stand-in for SaliencyCut: bright red pixels are the object, split into two regions by column. */
function fakeResult(image: RgbImage): CacheEntry {
  const n = image.width * image.height;
  const mask = new Uint8Array(n);
  const regions = new Uint16Array(n);
  for (let p = 0; p < n; p++) {
    mask[p] = image.data[3 * p]! > 127 ? 1 : 0;
    regions[p] = mask[p] ? 1 + ((p % image.width) * 2 >= image.width ? 1 : 0) : 0;
  }
  return { width: image.width, height: image.height, mask, regions, regionCount: 2 };
}

/** The fake, counting calls; images whose first byte is in `failOn` fail. */
function counting(failOn: number[] = []): { compute: ComputeSaliency; calls: () => number } {
  let calls = 0;
  const compute: ComputeSaliency = async (image) => {
    calls++;
    await new Promise((r) => setImmediate(r));
    if (failOn.includes(image.data[0]!)) throw new Error(`no salient object (first byte ${image.data[0]})`);
    return fakeResult(image);
  };
  return { compute, calls: () => calls };
}

function header(entry: CacheEntry, overrides: Partial<EntryHeader> = {}): EntryHeader {
  const hash = "ab".repeat(32);
  return { key: cacheKey(hash, PARAMS, SALIENCY_VERSION), pixelHash: hash, params: PARAMS, version: SALIENCY_VERSION, width: entry.width, height: entry.height, regionCount: entry.regionCount, image: { index: 3, file: "/x/3.png" }, ...overrides };
}

// ---------------------------------------------------------------- keys

test("pixel hash covers the size header and the bytes; the key covers settings (in any field order) and version", () => {
  const pixels = new Uint8Array(28 * 28 * 3).map((_, i) => i & 0xff);
  const h = pixelHash({ width: 28, height: 28, channels: 3, pixels });
  assert.match(h, /^[0-9a-f]{64}$/);
  assert.notEqual(pixelHash({ width: 84, height: 28, channels: 1, pixels }), h, "same bytes, other shape");
  const flipped = pixels.slice();
  flipped[100]! ^= 1;
  assert.notEqual(pixelHash({ width: 28, height: 28, channels: 3, pixels: flipped }), h);

  const reordered = { output: "regions", scale: 1, iterations: 4, threshold: 70, map: "rc" } as SaliencyParams;
  assert.equal(canonicalJson(reordered), canonicalJson(PARAMS));
  assert.equal(cacheKey(h, reordered, 1), cacheKey(h, PARAMS, 1));
  assert.notEqual(cacheKey(h, { ...PARAMS, threshold: 71 }, 1), cacheKey(h, PARAMS, 1));
  assert.notEqual(cacheKey(h, PARAMS, 2), cacheKey(h, PARAMS, 1));
});

test("grayscale images go to SaliencyCut as RGB with the channel replicated", () => {
  const ds = dataset(2, 4, 3, 1);
  const rgb = toRgb(datasetImage(ds, 1));
  assert.equal(rgb.data.length, 4 * 3 * 3);
  for (let p = 0; p < 12; p++) for (let c = 0; c < 3; c++) assert.equal(rgb.data[3 * p + c], ds.pixels[12 + p]);
});

// ---------------------------------------------------------------- entry files

test("an entry round-trips through its bytes and through a file, for an odd pixel count too", async () => {
  const entry = fakeResult(toRgb(datasetImage(dataset(1, 7, 5), 0)));
  const h = header(entry);
  const back = decodeEntry(encodeEntry(h, entry));
  assert.deepEqual(back.header, h);
  assert.deepEqual(back.entry, entry);

  const dir = cacheDir();
  const bytes = await writeEntry(dir, h, entry);
  assert.equal(fs.statSync(entryPath(dir, h.key)).size, bytes);
  assert.ok(entryPath(dir, h.key).includes(path.join("entries", h.key.slice(0, 2), `${h.key}.bin`)));
  assert.deepEqual(readEntry(dir, h.key)!.entry, entry);
  assert.equal(readEntry(dir, "cd".repeat(32)), undefined);
  assert.deepEqual(fs.readdirSync(path.dirname(entryPath(dir, h.key))), [`${h.key}.bin`], "no temp file left");
});

test("truncation, a flipped bit, trailing bytes and a file under another key are all detected", async () => {
  const entry = fakeResult(toRgb(datasetImage(dataset(1, 16, 16), 0)));
  const good = encodeEntry(header(entry), entry);
  const damaged: [string, Buffer][] = [
    ["truncated", good.subarray(0, good.length - 3)],
    ["truncated prefix", good.subarray(0, 10)],
    ["trailing bytes", Buffer.concat([good, Buffer.from([0])])],
  ];
  for (const at of [2, 25, good.length - 2]) {
    const flipped = Buffer.from(good);
    flipped[at]! ^= 0x10;
    damaged.push([`bit flipped at ${at}`, flipped]);
  }
  // A flip that leaves a valid header (image index 3 -> 2): only the checksum can tell.
  const plausible = Buffer.from(good);
  plausible[good.indexOf('"index":3') + 8]! ^= 0x01;
  damaged.push(["plausible header change", plausible]);
  for (const [what, bytes] of damaged) assert.throws(() => decodeEntry(bytes), CorruptEntryError, what);

  const dir = cacheDir();
  const h = header(entry);
  await writeEntry(dir, h, entry);
  const other = "ef".repeat(32);
  fs.mkdirSync(path.dirname(entryPath(dir, other)), { recursive: true });
  fs.copyFileSync(entryPath(dir, h.key), entryPath(dir, other));
  assert.throws(() => readEntry(dir, other), /holds the entry for key/);
});

// ---------------------------------------------------------------- build, resume, failures

test("build computes every image once, resumes after a cancel without recomputing, and records failures without stopping", async () => {
  const dir = cacheDir();
  const ds = dataset(24);
  const first = counting();
  const controller = new AbortController();
  const seen: BuildProgress[] = [];
  const cancelled = await buildCache({
    dir,
    params: PARAMS,
    dataset: ds,
    workers: 2,
    compute: first.compute,
    signal: controller.signal,
    onProgress: (p) => {
      seen.push(p);
      if (p.done === 10) controller.abort();
    },
  });
  assert.equal(cancelled.cancelled, true);
  assert.ok(cancelled.computed >= 10 && cancelled.computed < 24, `computed ${cancelled.computed}`);
  assert.equal(seen[0]!.done, 0);
  assert.equal(seen[0]!.total, 24);
  assert.ok(seen.every((p, i) => i === 0 || p.done > seen[i - 1]!.done), "progress only moves forward");
  assert.ok(Number.isFinite(seen.at(-1)!.etaSeconds) && seen.at(-1)!.imagesPerSecond > 0);
  assert.equal(loadCacheState(dir, { write: false }).entries.size, cancelled.computed, "everything computed before the cancel is cached");

  // Images 20 and 22 (first bytes 260 and 286 mod 256), not reached before the cancel, fail.
  const second = counting([4, 30]);
  const resumed = await buildCache({ dir, params: PARAMS, dataset: ds, workers: 3, compute: second.compute });
  assert.equal(resumed.cancelled, false);
  assert.equal(resumed.cachedBefore, cancelled.computed);
  assert.equal(second.calls(), 24 - cancelled.computed, "only the images not cached yet are computed");
  const failedNow = resumed.failed.map((f) => f.index).sort((a, b) => a - b);
  assert.deepEqual(failedNow, [20, 22]);
  assert.equal(resumed.failed[0]!.reason, `no salient object (first byte ${resumed.failed[0]!.index === 20 ? 4 : 30})`);

  // Every image that did not fail is cached with the fake's result.
  for (let i = 0; i < 24; i++) {
    const e = readEntryFor(dir, ds, i);
    if (failedNow.includes(i)) assert.equal(e, undefined);
    else assert.deepEqual(e, fakeResult(toRgb(datasetImage(ds, i))));
  }
  const stats = cacheStats(dir, PARAMS, { dataset: ds });
  assert.equal(stats.images!.missing, failedNow.length);
  assert.deepEqual(stats.images!.failed.map((f) => f.index).sort((a, b) => a - b), failedNow);
  assert.ok(stats.images!.failed.every((f) => /no salient object/.test(f.reason)));

  // A third build retries the failures only; now they succeed.
  const third = counting();
  const retried = await buildCache({ dir, params: PARAMS, dataset: ds, compute: third.compute });
  assert.equal(third.calls(), failedNow.length);
  assert.equal(retried.failed.length, 0);
  assert.equal(cacheStats(dir, PARAMS, { dataset: ds }).images!.missing, 0);
});

function readEntryFor(dir: string, ds: ImageDataset, index: number): CacheEntry | undefined {
  return readEntry(dir, imageKeys(ds, PARAMS)[index]!.key)?.entry;
}

test("images with identical pixels are computed once; grayscale datasets are cached too", async () => {
  const dir = cacheDir();
  const ds = dataset(6, 8, 8, 1);
  const per = 64;
  ds.pixels.copyWithin(4 * per, 1 * per, 2 * per); // image 4 = image 1
  const run = counting();
  const summary = await buildCache({ dir, params: PARAMS, dataset: ds, compute: run.compute, files: ["a", "b", "c", "d", "e", "f"] });
  assert.equal(run.calls(), 5);
  assert.equal(summary.computed, 6);
  const state = loadCacheState(dir, { write: false });
  assert.equal(state.entries.size, 5);
  assert.deepEqual(state.entries.get(imageKeys(ds, PARAMS)[4]!.key)!.image, { index: 1, file: "b" }, "recorded for the first image with those pixels");
});

test("a result of the wrong shape is a per-image failure; a cache that cannot be written stops the build", async () => {
  const ds = dataset(4);
  const wrong: ComputeSaliency = async (image) => {
    const r = fakeResult(image);
    if (image.data[0] === 13) return { ...r, width: 3 };
    if (image.data[0] === 26) return { ...r, regions: r.regions.subarray(1) };
    return r;
  };
  const summary = await buildCache({ dir: cacheDir(), params: PARAMS, dataset: ds, compute: wrong });
  assert.deepEqual(summary.failed.map((f) => [f.index, f.reason]).sort(), [
    [1, "SaliencyCut returned 3x10 for a 12x10 image"],
    [2, "mask (120) and regions (119) must both have 12x10 = 120 values"],
  ]);
  assert.equal(summary.computed, 2);

  // A file where the sub-folder of image 2's entry belongs: its write fails, which is not the image's fault.
  const dir = cacheDir();
  const blocked = path.dirname(entryPath(dir, imageKeys(ds, PARAMS)[2]!.key));
  fs.mkdirSync(path.dirname(blocked), { recursive: true });
  fs.writeFileSync(blocked, "in the way");
  await assert.rejects(buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute }), /EEXIST|ENOTDIR/);
  assert.equal(loadCacheState(dir, { write: false }).failures.size, 0, "not recorded as an image failure");
});

test("build recomputes an entry that is damaged, and one whose header is unreadable", async () => {
  const dir = cacheDir();
  const ds = dataset(5);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute });
  const keys = imageKeys(ds, PARAMS);
  const payloadHit = entryPath(dir, keys[1]!.key);
  const bytes = fs.readFileSync(payloadHit);
  bytes[bytes.length - 5]! ^= 0xff;
  fs.writeFileSync(payloadHit, bytes);
  fs.writeFileSync(entryPath(dir, keys[3]!.key), "garbage");

  const again = counting();
  const summary = await buildCache({ dir, params: PARAMS, dataset: ds, compute: again.compute });
  assert.equal(again.calls(), 2);
  assert.equal(summary.repaired, 2);
  assert.equal(verifyCache(dir, { fix: false }).corrupt.length, 0);
});

// ---------------------------------------------------------------- the manifest

test("a torn last manifest line is ignored; a corrupt or missing manifest is rebuilt from the entry files", async () => {
  const dir = cacheDir();
  const ds = dataset(8);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting([26]).compute }); // image 2 fails
  const file = manifestPath(dir);
  const intact = fs.readFileSync(file, "utf8");
  assert.equal(readManifest(dir).records.length, 8);
  const expected = loadCacheState(dir, { write: false });
  assert.equal(expected.entries.size, 7);
  assert.equal(expected.failures.size, 1);

  // Torn: half of a line appended by a killed build.
  fs.writeFileSync(file, intact + intact.split("\n")[0]!.slice(0, 40));
  const torn = loadCacheState(dir, { write: false });
  assert.match(torn.repairs.join(), /last line is incomplete/);
  assert.deepEqual([...torn.entries.keys()].sort(), [...expected.entries.keys()].sort());
  assert.equal(torn.failures.size, 1);

  // Truncated in the middle of the file, then garbage: every entry comes back from the files.
  fs.writeFileSync(file, intact.slice(0, Math.floor(intact.length / 3)) + "\u0000\u0000{{{\n");
  const damaged = loadCacheState(dir, { write: true });
  assert.match(damaged.repairs.join(), /manifest damaged/);
  assert.match(damaged.repairs.join(), /recovered from entry files/);
  assert.deepEqual(damaged.entries, expected.entries);
  const rewritten = readManifest(dir);
  assert.equal(rewritten.problem, undefined, "the rewrite is clean");
  assert.equal(rewritten.records.filter((r) => r.type === "entry").length, 7);

  // Deleted: same.
  fs.rmSync(file);
  const missing = loadCacheState(dir, { write: false });
  assert.deepEqual(missing.repairs, ["manifest missing", "7 entries recovered from entry files"]);
  assert.equal(missing.entries.size, 7);
  assert.equal(cacheStats(dir, PARAMS, { dataset: ds }).images!.cached, 7);

  // A record whose file is gone is dropped, and a build puts the image back.
  loadCacheState(dir, { write: true });
  fs.rmSync(entryPath(dir, imageKeys(ds, PARAMS)[6]!.key));
  assert.match(loadCacheState(dir, { write: false }).repairs.join(), /1 manifest record without an entry file dropped/);
  const rebuild = counting();
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: rebuild.compute });
  assert.equal(rebuild.calls(), 2, "the vanished entry and the earlier failure");
  assert.deepEqual(loadCacheState(dir, { write: false }).repairs, []);
});

test("an entry written just before a kill (no manifest line yet) is recovered, and leftover temp files are removed", async () => {
  const dir = cacheDir();
  const ds = dataset(3);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute });
  const lines = fs.readFileSync(manifestPath(dir), "utf8").trimEnd().split("\n");
  fs.writeFileSync(manifestPath(dir), lines.slice(0, 2).join("\n") + "\n");
  const temp = `${entryPath(dir, imageKeys(ds, PARAMS)[0]!.key)}.0123abcd.tmp`;
  fs.writeFileSync(temp, "half an entry");

  const run = counting();
  const summary = await buildCache({ dir, params: PARAMS, dataset: ds, compute: run.compute });
  assert.equal(run.calls(), 0);
  assert.deepEqual(summary.repairs, ["1 entry recovered from entry files"]);
  assert.equal(fs.existsSync(temp), false);
  assert.equal(readManifest(dir).records.length, 3);
});

// ---------------------------------------------------------------- stats, verify, clear

test("stats tells current entries from stale ones (other settings, other version) and counts disk use", async () => {
  const dir = cacheDir();
  const ds = dataset(4);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute });
  await buildCache({ dir, params: { ...PARAMS, threshold: 90 }, dataset: dataset(3), compute: counting().compute });
  const old = fakeResult(toRgb(datasetImage(ds, 0)));
  const oldHash = pixelHash(datasetImage(ds, 0));
  await writeEntry(dir, header(old, { key: cacheKey(oldHash, PARAMS, SALIENCY_VERSION + 1), pixelHash: oldHash, version: SALIENCY_VERSION + 1 }), old);

  const stats = cacheStats(dir, PARAMS, { dataset: ds });
  assert.equal(stats.entries, 8);
  assert.equal(stats.current, 4);
  assert.equal(stats.staleParams, 3);
  assert.equal(stats.staleVersion, 1);
  assert.deepEqual(stats.images, { total: 4, cached: 4, missing: 0, failed: [] });
  const onDisk = (d: string): number =>
    fs.readdirSync(d, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? onDisk(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);
  assert.equal(stats.diskBytes, onDisk(dir));

  const other = cacheStats(dir, { ...PARAMS, threshold: 90 }, { dataset: ds });
  assert.equal(other.current, 3);
  assert.equal(other.images!.missing, 1, "dataset(3) and dataset(4) share their first three images");
});

test("verify re-reads every entry and re-hashes its key; --fix removes the damaged ones", async () => {
  const dir = cacheDir();
  const ds = dataset(6);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute });
  assert.deepEqual(verifyCache(dir, { fix: false }), { checked: 6, corrupt: [], removed: 0, repairs: [] });
  const keys = imageKeys(ds, PARAMS);
  const truncated = entryPath(dir, keys[2]!.key);
  fs.truncateSync(truncated, fs.statSync(truncated).size - 10);
  // A well-formed entry under a key that its own fields do not hash to (e.g. written by a buggy version).
  const forged = fakeResult(toRgb(datasetImage(ds, 0)));
  const forgedKey = cacheKey(keys[0]!.pixelHash, { ...PARAMS, threshold: 1 }, SALIENCY_VERSION);
  await writeEntry(dir, header(forged, { key: forgedKey, pixelHash: keys[0]!.pixelHash }), forged);

  const report = verifyCache(dir, { fix: false });
  assert.equal(report.checked, 7);
  const byFile = new Map(report.corrupt.map((c) => [c.file, c]));
  assert.match(byFile.get(truncated)!.reason, /truncated/);
  assert.deepEqual(byFile.get(truncated)!.image, { index: 2 });
  assert.match(byFile.get(entryPath(dir, forgedKey))!.reason, /hash to/);
  assert.equal(fs.existsSync(truncated), true, "without --fix nothing is removed");

  const fixed = verifyCache(dir, { fix: true });
  assert.equal(fixed.removed, 2);
  assert.equal(fs.existsSync(truncated), false);
  assert.deepEqual(verifyCache(dir, { fix: false }).corrupt, []);
  assert.equal(readManifest(dir).records.length, 5);
  const run = counting();
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: run.compute });
  assert.equal(run.calls(), 1, "the build computes the removed entry again");
});

test("clear removes the cache's files and folders only", async () => {
  const dir = cacheDir();
  await buildCache({ dir, params: PARAMS, dataset: dataset(5), compute: counting().compute });
  const someSub = path.dirname(entryPath(dir, imageKeys(dataset(5), PARAMS)[0]!.key));
  fs.writeFileSync(path.join(someSub, "notes.txt"), "mine");
  fs.writeFileSync(path.join(dir, "README"), "mine too");
  const report = clearCache(dir);
  assert.equal(report.removedEntries, 5);
  assert.ok(report.removedBytes > 0);
  assert.deepEqual(report.kept, ["README", path.join("entries", path.basename(someSub), "notes.txt")]);
  assert.equal(fs.existsSync(manifestPath(dir)), false);
  assert.deepEqual(fs.readdirSync(path.join(dir, "entries")), [path.basename(someSub)]);

  const empty = cacheDir();
  await buildCache({ dir: empty, params: PARAMS, dataset: dataset(2), compute: counting().compute });
  assert.deepEqual(clearCache(empty).kept, []);
  assert.equal(fs.existsSync(empty), false);
  assert.equal(clearCache(empty).removedEntries, 0, "clearing twice is fine");
});

// ---------------------------------------------------------------- lookup

test("lookups hit and miss, by pixels or by pixel hash, from memory or from disk, counting both", async () => {
  const dir = cacheDir();
  const ds = dataset(10);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute });
  const unseen = datasetImage(dataset(11), 10);
  for (const [memoryMB, mode] of [[1, "memory"], [0, "disk"]] as const) {
    const cache = openSaliencyCache(dir, PARAMS, { memoryMB });
    assert.equal(cache.mode, mode);
    assert.equal(cache.entries, 10);
    assert.deepEqual(cache.get(datasetImage(ds, 3)), fakeResult(toRgb(datasetImage(ds, 3))));
    assert.deepEqual(cache.get(pixelHash(datasetImage(ds, 7))), fakeResult(toRgb(datasetImage(ds, 7))));
    assert.equal(cache.get(unseen), undefined);
    assert.equal(cache.hits, 2);
    assert.equal(cache.misses, 1);
    assert.ok(cache.has(datasetImage(ds, 9)) && cache.has(pixelHash(datasetImage(ds, 0))));
    assert.equal(cache.has(unseen), false);
    assert.deepEqual([cache.hits, cache.misses], [2, 1], "has() is not a lookup");
    cache.close();
  }
  const otherSettings = openSaliencyCache(dir, { ...PARAMS, iterations: 2 }, { memoryMB: 1 });
  assert.equal(otherSettings.entries, 0);
  assert.equal(otherSettings.get(datasetImage(ds, 3)), undefined);

  // A damaged entry is a miss (and counted as corrupt), in both modes.
  const damaged = entryPath(dir, imageKeys(ds, PARAMS)[5]!.key);
  fs.truncateSync(damaged, 30);
  for (const memoryMB of [1, 0]) {
    const cache = openSaliencyCache(dir, PARAMS, { memoryMB });
    assert.equal(cache.has(datasetImage(ds, 5)), cache.mode === "disk", "memory mode knows at open that it is unusable");
    assert.equal(cache.get(datasetImage(ds, 5)), undefined);
    assert.equal(cache.corrupt, 1);
    assert.equal(cache.misses, 1);
  }
});

test("a disk lookup of a 96x96 entry takes well under a millisecond", async (t) => {
  const dir = cacheDir();
  const ds = dataset(200, 96, 96);
  await buildCache({ dir, params: PARAMS, dataset: ds, compute: counting().compute });
  const hashes = imageKeys(ds, PARAMS).map((k) => k.pixelHash);
  const images = hashes.map((_, i) => datasetImage(ds, i));
  const time = (memoryMB: number, by: "hash" | "pixels") => {
    const cache = openSaliencyCache(dir, PARAMS, { memoryMB });
    const t0 = performance.now();
    for (let round = 0; round < 5; round++) for (let i = 0; i < hashes.length; i++) assert.ok(cache.get(by === "hash" ? hashes[i]! : images[i]!));
    return { mode: cache.mode, ms: (performance.now() - t0) / (5 * hashes.length) };
  };
  const disk = time(0, "hash");
  const memory = time(64, "hash");
  assert.equal(disk.mode, "disk");
  assert.equal(memory.mode, "memory");
  const diskPixels = time(0, "pixels");
  const memoryPixels = time(64, "pixels");
  const ms = (x: { ms: number }) => `${x.ms.toFixed(3)} ms`;
  t.diagnostic(`96x96 lookup by pixel hash: disk ${ms(disk)}, memory ${ms(memory)}; by pixels (hashing included): disk ${ms(diskPixels)}, memory ${ms(memoryPixels)}`);
  assert.ok(disk.ms < 1 && diskPixels.ms < 1, `disk lookup ${disk.ms} ms, ${diskPixels.ms} ms with hashing`);
  assert.ok(memory.ms < disk.ms);
});
