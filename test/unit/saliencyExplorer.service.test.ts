/**
 * The Saliency Explorer's worker logic (src/trainer/saliencyExplorerService.ts)
 * on the example scenes: a request gives the six PNGs with the stage
 * timings, the mask is the very mask `ssl-studio saliency` writes, "as
 * training sees it" runs on the pixels the cache keys, settings change the
 * result, and the experiment's cache is listed, counted (stale entries
 * included), built with progress, cancelled and resumed. Errors come back as
 * replies naming the file (and field and line), never as throws.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decodePng } from "../../src/core/augment/png";
import type { SaliencyParams } from "../../src/core/config/saliencySchema";
import { datasetImage } from "../../src/core/saliency/cache/datasetImage";
import { loadCacheImages } from "../../src/core/saliency/cache/experimentCache";
import { pixelHash } from "../../src/core/saliency/cache/key";
import { loadExperiment } from "../../src/core/config/load";
import { saliencyOfFile } from "../../src/cli/saliencyCommand";
import type { BuildProgressInfo, ExplorerWorkerToHost, ExploreResult } from "../../src/protocol/saliencyExplorer";
import { TRIMAP_COLOURS } from "../../src/protocol/saliencyExplorer";
import { paramsProblem, SaliencyExplorerService, trimapPixels } from "../../src/trainer/saliencyExplorerService";

const repo = path.resolve(__dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-saliency-explorer-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PARAMS: SaliencyParams = { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" };
const EXAMPLE = path.join(repo, "examples", "saliency");
const SCENE = path.join(EXAMPLE, "images", "scene-03.jpg");

/** A copy of examples/saliency (images and experiment, no cache, no runs) in its own folder. */
function exampleCopy(name: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync(path.join(EXAMPLE, "images"), path.join(dir, "images"), { recursive: true });
  const file = path.join(dir, "saliencycut-simclr.ssl.json");
  fs.copyFileSync(path.join(EXAMPLE, "saliencycut-simclr.ssl.json"), file);
  return file;
}

const service = new SaliencyExplorerService();
let ids = 0;

async function explore(source: Parameters<SaliencyExplorerService["explore"]>[0]["source"], params: Partial<SaliencyParams> = {}, paletteSeed = 0): Promise<ExploreResult> {
  const reply = await service.explore({ id: ++ids, source, params: { ...PARAMS, ...params }, paletteSeed });
  assert.equal(reply.type, "explored", JSON.stringify(reply));
  return (reply as Extract<ExplorerWorkerToHost, { type: "explored" }>).result;
}

const png = (b64: string) => decodePng(Buffer.from(b64, "base64"));
const count = (pixels: Uint8Array, v: number) => pixels.reduce((n, x) => n + (x === v ? 1 : 0), 0);

test("a file: six PNGs at its size, the stage timings, and the mask `ssl-studio saliency` writes", async () => {
  const r = await explore({ kind: "file", file: SCENE });
  assert.equal(r.label, "scene-03.jpg");
  assert.deepEqual([r.width, r.height], [160, 120]);
  const tiles = Object.fromEntries(await Promise.all(Object.entries(r.images).map(async ([k, v]) => [k, await png(v)] as const)));
  for (const [name, t] of Object.entries(tiles)) assert.deepEqual([t.width, t.height], [160, 120], name);
  assert.deepEqual(
    Object.fromEntries(Object.entries(tiles).map(([k, t]) => [k, t.channels])),
    { original: 3, hc: 1, rc: 1, trimap: 3, mask: 1, regions: 3 },
  );
  // The mask: 0/255, as many white pixels as reported, equal to the CLI's PNG.
  const mask = tiles.mask!.pixels;
  assert.equal(count(mask, 255) + count(mask, 0), mask.length);
  assert.equal(count(mask, 255), r.maskPixels);
  const out = path.join(tmp, "cli-mask.png");
  await saliencyOfFile({ image: SCENE, out, params: PARAMS }, () => undefined);
  const cli = await decodePng(fs.readFileSync(out));
  const cliGray = cli.channels === 1 ? cli.pixels : cli.pixels.filter((_, i) => i % 3 === 0);
  assert.deepEqual(Buffer.from(mask), Buffer.from(cliGray), "the panel's mask is the CLI's");
  // Trimap pixels are the four legend colours; the region map has the object's regions plus the background.
  const legend = new Set(TRIMAP_COLOURS.map((c) => c.join(",")));
  const trimap = tiles.trimap!.pixels;
  for (let p = 0; p < trimap.length; p += 3) assert.ok(legend.has(`${trimap[p]},${trimap[p + 1]},${trimap[p + 2]}`));
  const colours = new Set<string>();
  for (let p = 0; p < tiles.regions!.pixels.length; p += 3) colours.add(Array.from(tiles.regions!.pixels.subarray(p, p + 3)).join(","));
  assert.ok(colours.size >= 2 && colours.size <= r.regionCount + 1, `${colours.size} colours for ${r.regionCount} regions`);
  // Timings: SaliencyCut's stages for map rc; HC is drawn for the picture only.
  assert.deepEqual(
    r.timings.map((t) => t.stage),
    ["quantize", "segment", "rc", "grabcut", "regions"],
  );
  assert.ok(r.timings.every((t) => t.ms >= 0) && r.totalMs > 0 && r.decodeMs >= 0);
  assert.deepEqual(r.displayOnly, ["hc"]);
  assert.ok(count(tiles.hc!.pixels, 0) < tiles.hc!.pixels.length, "the display-only HC map is drawn");
  assert.ok(r.rounds >= 1 && r.rounds <= 4);
  assert.equal(r.grabCutFellBack, false);
});

test("the settings change the result: threshold, map, output and the palette", async () => {
  const base = await explore({ kind: "file", file: SCENE });
  const high = await explore({ kind: "file", file: SCENE }, { threshold: 160 });
  assert.notEqual(high.images.mask, base.images.mask, "threshold 160 cuts another mask");
  assert.ok(high.maskPixels < base.maskPixels, `${high.maskPixels} < ${base.maskPixels}`);
  assert.equal(high.params.threshold, 160);
  const both = await explore({ kind: "file", file: SCENE }, { map: "both" });
  assert.deepEqual(both.displayOnly, []);
  assert.ok(both.timings.some((t) => t.stage === "hc") && both.timings.some((t) => t.stage === "rc"));
  const hc = await explore({ kind: "file", file: SCENE }, { map: "hc", output: "mask" });
  assert.deepEqual(hc.displayOnly, ["rc"]);
  assert.equal(hc.regionCount, 1, "output mask: the object is one region");
  const half = await explore({ kind: "file", file: SCENE }, { scale: 0.5 });
  assert.deepEqual([half.width, half.height], [160, 120], "a working scale still gives full-size pictures");
  assert.ok(half.timings.some((t) => t.stage === "resize") && half.timings.some((t) => t.stage === "restore"));
  const recoloured = await explore({ kind: "file", file: SCENE }, {}, 7);
  assert.equal(recoloured.images.mask, base.images.mask);
  assert.notEqual(recoloured.images.regions, base.images.regions, "another palette");
});

test("a training image of an image folder is the pixels the cache keys; an index dataset by index", async () => {
  const file = path.join(EXAMPLE, "saliencycut-simclr.ssl.json");
  const r = await explore({ kind: "dataset", experimentFile: file, index: 3 });
  assert.equal(r.label, "scene-03.jpg as training sees it (96×96)");
  assert.deepEqual([r.width, r.height], [96, 96]);
  const { dataset } = await loadCacheImages(loadExperiment(file));
  const original = await png(r.images.original);
  assert.equal(pixelHash({ width: 96, height: 96, channels: 3, pixels: original.pixels }), pixelHash(datasetImage(dataset, 3)));

  const embedded = path.join(tmp, "embedded.ssl.json");
  fs.writeFileSync(embedded, JSON.stringify({ method: "simclr", dataset: { format: "embedded", name: "fashion-mnist-5k" }, limit: { train: 50 } }));
  const e = await explore({ kind: "dataset", experimentFile: embedded, index: 7 });
  assert.deepEqual([e.width, e.height], [28, 28]);
  assert.match(e.label, /^training image #7 \(.+\)$/);
  const list = await service.listImages({ id: 1, experimentFile: embedded });
  assert.equal(list.type, "images");
  if (list.type !== "images") return;
  assert.equal(list.list.count, 50);
  assert.equal(list.list.files, undefined);
  assert.equal(list.list.classes?.length, 50);
});

test("the image list of an image folder: its files in dataset order, at imageSize", async () => {
  const reply = await service.listImages({ id: 5, experimentFile: path.join(EXAMPLE, "saliencycut-simclr.ssl.json") });
  assert.equal(reply.type, "images");
  if (reply.type !== "images") return;
  assert.equal(reply.list.id, 5);
  assert.equal(reply.list.format, "folder");
  assert.equal(reply.list.count, 12);
  assert.deepEqual(
    reply.list.files!.map((f) => path.relative(EXAMPLE, f)),
    Array.from({ length: 12 }, (_, i) => path.join("images", `scene-${String(i).padStart(2, "0")}.jpg`)),
  );
  assert.deepEqual([reply.list.width, reply.list.height], [96, 96]);
});

test("problems are replies: missing or broken image, bad settings, a broken experiment with file, line and field", async () => {
  const missing = await service.explore({ id: 11, source: { kind: "file", file: path.join(tmp, "nope.png") }, params: PARAMS, paletteSeed: 0 });
  assert.deepEqual(missing, { type: "failed", id: 11, error: `${path.join(tmp, "nope.png")}: no such file` });
  const junk = path.join(tmp, "junk.jpg");
  fs.writeFileSync(junk, "not a JPEG at all");
  const bad = await service.explore({ id: 12, source: { kind: "file", file: junk }, params: PARAMS, paletteSeed: 0 });
  assert.equal(bad.type, "failed");
  assert.match((bad as { error: string }).error, /junk\.jpg: cannot decode the image/);
  const settings = await service.explore({ id: 13, source: { kind: "file", file: SCENE }, params: { ...PARAMS, threshold: 300 }, paletteSeed: 0 });
  assert.deepEqual(settings, { type: "failed", id: 13, error: "SaliencyCut settings: threshold must be a whole number in 1..254, not 300" });
  assert.equal(paramsProblem(PARAMS), undefined);
  assert.match(paramsProblem({ ...PARAMS, map: "sgd" })!, /map must be one of hc, rc, both/);
  assert.match(paramsProblem({ ...PARAMS, scale: 0 })!, /scale/);
  assert.match(paramsProblem({ ...PARAMS, iterations: 2.5 })!, /iterations/);

  const file = exampleCopy("broken");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"threshold": 70', '"threshold": 700'));
  for (const reply of [
    await service.explore({ id: 14, source: { kind: "dataset", experimentFile: file, index: 0 }, params: PARAMS, paletteSeed: 0 }),
    await service.listImages({ id: 14, experimentFile: file }),
    await service.stats({ id: 14, experimentFile: file }),
    await service.build({ id: 14, experimentFile: file }, () => undefined, new AbortController().signal),
  ]) {
    assert.equal(reply.type, "invalid", JSON.stringify(reply));
    const issue = (reply as Extract<ExplorerWorkerToHost, { type: "invalid" }>).issues[0]!;
    assert.equal(issue.file, file);
    assert.equal(issue.field, "saliency.threshold");
    assert.equal(issue.line, 13);
    assert.match(issue.message, /254/);
  }
  const outOfRange = await service.explore({ id: 15, source: { kind: "dataset", experimentFile: path.join(EXAMPLE, "saliencycut-simclr.ssl.json"), index: 12 }, params: PARAMS, paletteSeed: 0 });
  assert.deepEqual(outOfRange, { type: "failed", id: 15, error: "training image #12 does not exist: the dataset has 12 (0..11)" });
});

test("cache: stats of an empty cache, a cancelled build that resumes, stats after, stale entries after a settings change", async () => {
  const file = exampleCopy("cache");
  const stats = async () => {
    const reply = await service.stats({ id: ++ids, experimentFile: file });
    assert.equal(reply.type, "stats", JSON.stringify(reply));
    return (reply as Extract<ExplorerWorkerToHost, { type: "stats" }>).stats;
  };
  const empty = await stats();
  assert.equal(empty.dir, path.join(path.dirname(file), ".ssl-cache", "saliency"));
  assert.deepEqual([empty.entries, empty.current, empty.images, empty.cached, empty.missing, empty.failedCount, empty.diskBytes], [0, 0, 12, 0, 12, 0, 0]);

  // Cancelled after the first computed image: what is finished stays.
  const controller = new AbortController();
  const seen: BuildProgressInfo[] = [];
  const cancelled = await service.build(
    { id: 21, experimentFile: file, workers: 1 },
    (p) => {
      seen.push(p);
      if (p.phase === "computing" && p.done >= 1) controller.abort();
    },
    controller.signal,
  );
  assert.equal(cancelled.type, "built", JSON.stringify(cancelled));
  const c = (cancelled as Extract<ExplorerWorkerToHost, { type: "built" }>).summary;
  assert.equal(c.cancelled, true);
  assert.ok(c.computed >= 1 && c.computed < 12, `${c.computed} computed before the cancel`);
  assert.ok(seen.some((p) => p.phase === "decoding" && p.done === 12 && p.total === 12), "decoding progress");
  assert.ok(seen.every((p) => p.etaSeconds === null || Number.isFinite(p.etaSeconds)), "no Infinity over IPC");
  const partial = await stats();
  assert.equal(partial.entries, c.computed);
  assert.equal(partial.missing, 12 - c.computed);

  const resumed = await service.build({ id: 22, experimentFile: file }, () => undefined, new AbortController().signal);
  const r = (resumed as Extract<ExplorerWorkerToHost, { type: "built" }>).summary;
  assert.deepEqual([r.cancelled, r.cachedBefore, r.computed, r.failedCount, r.total], [false, c.computed, 12 - c.computed, 0, 12]);
  const full = await stats();
  assert.deepEqual([full.entries, full.current, full.staleParams, full.cached, full.missing], [12, 12, 0, 12, 0]);
  assert.ok(full.diskBytes > 0);

  // Other settings in the file: the 12 entries are stale, every image is missing.
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"threshold": 70', '"threshold": 90'));
  const stale = await stats();
  assert.deepEqual([stale.entries, stale.current, stale.staleParams, stale.staleVersion, stale.cached, stale.missing], [12, 0, 12, 0, 0, 12]);
  assert.equal(stale.params.threshold, 90);
});

test("the trimap's colours follow OpenCV's labels", () => {
  assert.deepEqual(Array.from(trimapPixels(Uint8Array.from([0, 1, 2, 3]))), TRIMAP_COLOURS.flat());
});
