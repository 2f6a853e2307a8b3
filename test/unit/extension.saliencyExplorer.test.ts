/**
 * The Saliency Explorer's extension side in plain Node: its decisions (which
 * experiment an image belongs to, what the worker runs, the build texts, the
 * last run's hits), its page's CSP, and the whole loop against the stand-in
 * `vscode` module (extension.vscodeStub.ts) with a fake webview and the
 * built worker (dist/saliencyExplorer.js): open on an image, move sliders
 * (only the latest answer reaches the page), build the cache from the panel
 * and the palette with a cancellable notification, a broken experiment named
 * by file, line and field, and the worker gone when the panel closes.
 */
import { after, afterEach, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { BuildProgressInfo, BuildSummaryInfo, ExploreResult, HostToPanel, PanelSettings, PanelStats, PanelToHost } from "../../src/protocol/saliencyExplorer";
import { activateOn, childPids, fakeWebviewPanels, until, vscodeStub, type FakeWebviewPanel } from "./vscodeStubHost";

const { stub, Uri } = vscodeStub;

type Panel = FakeWebviewPanel<HostToPanel, PanelToHost>;
const panels = fakeWebviewPanels<HostToPanel, PanelToHost>();

const extension = require("../../src/extension/extension") as typeof import("../../src/extension/extension");
const { applyParamEdit, panelImages } = require("../../src/extension/saliencyExplorer/panel") as typeof import("../../src/extension/saliencyExplorer/panel");
const targets = require("../../src/extension/saliencyExplorer/targets") as typeof import("../../src/extension/saliencyExplorer/targets");
const { lastRunHits, lastSaliencyRow } = require("../../src/extension/saliencyExplorer/lastRun") as typeof import("../../src/extension/saliencyExplorer/lastRun");
const { previewHtml } = require("../../src/extension/augmentPreview/html") as typeof import("../../src/extension/augmentPreview/html");
const webviewFormat = require("../../webview/saliencyExplorer/format") as typeof import("../../webview/saliencyExplorer/format");

const repo = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(repo, "examples", "saliency");
const WORKER = path.join(repo, "dist", "saliencyExplorer.js");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-explorer-ext-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

// ---- decisions ----

test("an image belongs to the experiment whose image folder holds it (the nearest); other files and formats do not", () => {
  const ws = path.join(root, "targets");
  fs.mkdirSync(path.join(ws, "data", "cats", "a"), { recursive: true });
  const write = (name: string, config: unknown) => {
    const f = path.join(ws, name);
    fs.writeFileSync(f, typeof config === "string" ? config : JSON.stringify(config));
    return f;
  };
  const wide = write("wide.ssl.json", { method: "simclr", dataset: { format: "folder", train: "data" } });
  const near = write("near.ssl.json", { method: "simclr", dataset: { format: "folder", train: "data/cats" } });
  const embedded = write("embedded.ssl.json", { method: "simclr", dataset: { format: "embedded", name: "fashion-mnist-5k" } });
  const broken = write("broken.ssl.json", "{ not json");
  const files = [broken, embedded, wide, near];
  assert.equal(targets.experimentForImage(path.join(ws, "data", "cats", "a", "x.png"), files), near);
  assert.equal(targets.experimentForImage(path.join(ws, "data", "dog.jpg"), files), wide);
  assert.equal(targets.experimentForImage(path.join(ws, "elsewhere.jpg"), files), undefined);
  assert.equal(targets.experimentForImage(path.join(EXAMPLE, "images", "scene-03.jpg"), [path.join(EXAMPLE, "saliencycut-simclr.ssl.json")]), path.join(EXAMPLE, "saliencycut-simclr.ssl.json"));
  assert.ok(targets.isImageFile("a/B.JPG") && targets.isImageFile("x.jpeg") && targets.isImageFile("x.png"));
  assert.ok(!targets.isImageFile("x.ssl.json") && !targets.isImageFile("x.gif") && !targets.isImageFile(undefined));
});

test("what the worker runs: the file at its size, or the training pixels when asked (and possible)", () => {
  const images = panelImages({ id: 1, experimentFile: "/w/x.ssl.json", format: "folder", count: 2, files: ["/w/images/a.jpg", "/w/images/b.jpg"], width: 96, height: 96 });
  assert.deepEqual(images.labels, ["images/a.jpg", "images/b.jpg"]);
  const inside = { kind: "file" as const, file: "/w/images/b.jpg" };
  const outside = { kind: "file" as const, file: "/tmp/c.png" };
  assert.equal(targets.selectionIndex(inside, images), 1);
  assert.equal(targets.selectionIndex(outside, images), -1);
  assert.deepEqual(targets.imageSource(inside, false, "/w/x.ssl.json", images), inside);
  assert.deepEqual(targets.imageSource(inside, true, "/w/x.ssl.json", images), { kind: "dataset", experimentFile: "/w/x.ssl.json", index: 1 });
  assert.deepEqual(targets.imageSource(outside, true, "/w/x.ssl.json", images), outside, "a file outside the dataset has no training view");
  assert.deepEqual(targets.imageSource(inside, true, undefined, images), inside, "nor without a (valid) experiment");
  assert.deepEqual(targets.imageSource({ kind: "index", index: 4 }, false, "/w/e.ssl.json", undefined), { kind: "dataset", experimentFile: "/w/e.ssl.json", index: 4 });
  assert.equal(targets.imageSource({ kind: "index", index: 4 }, false, undefined, undefined), undefined);
  assert.equal(targets.imageSource(undefined, false, "/w/x.ssl.json", images), undefined);
  const idx = panelImages({ id: 1, experimentFile: "/w/e.ssl.json", format: "embedded", count: 3, classes: ["Bag", "Coat", "Bag"], width: 28, height: 28 });
  assert.deepEqual(idx.labels, ["Bag", "Coat", "Bag"]);
  assert.equal(targets.selectionIndex({ kind: "index", index: 2 }, idx), 2);
  assert.equal(targets.selectionIndex({ kind: "index", index: 3 }, idx), -1);
});

test("slider edits are clamped to the schema's bounds; unknown values are ignored", () => {
  const p = { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" } as const;
  assert.deepEqual(applyParamEdit(p, { threshold: 300, iterations: 0, scale: 0.333, map: "hc" }), { ...p, threshold: 254, iterations: 1, scale: 0.33, map: "hc" });
  assert.deepEqual(applyParamEdit(p, { threshold: "80", map: "sgd", output: "both", scale: NaN }), p);
  assert.deepEqual(applyParamEdit(p, { threshold: 99.6, output: "mask" }), { ...p, threshold: 100, output: "mask" });
});

test("the build notification's texts: decoding, progress with rate and ETA, done, cancelled, failed images", () => {
  const p = (o: Partial<BuildProgressInfo>): BuildProgressInfo => ({ phase: "computing", done: 0, total: 12, cachedBefore: 0, failed: 0, imagesPerSecond: 0, etaSeconds: null, ...o });
  assert.equal(targets.buildProgressText(p({ phase: "decoding", done: 5 })), "decoding images 5/12");
  assert.equal(targets.buildProgressText(p({ done: 6, cachedBefore: 2, imagesPerSecond: 2.5, etaSeconds: 2.4 })), "6/12 images · 2 cached before · 2.5 img/s · ETA 2s");
  assert.equal(targets.buildProgressText(p({ done: 12, failed: 1, imagesPerSecond: 12, etaSeconds: 0 })), "12/12 images · 1 failed · 12 img/s");
  assert.equal(targets.buildPercent(p({ phase: "decoding", done: 6 })), 5);
  assert.equal(targets.buildPercent(p({ done: 6 })), 55);
  assert.equal(targets.buildPercent(p({ done: 12 })), 100);
  const s = (o: Partial<BuildSummaryInfo>): BuildSummaryInfo => ({ total: 12, cachedBefore: 0, computed: 12, failedCount: 0, failed: [], repaired: 0, cancelled: false, seconds: 2.04, imagesPerSecond: 6, ...o });
  assert.equal(targets.buildResultText("demo", s({})), "SSL: SaliencyCut cache of demo: 12 computed, 0 already cached of 12 images in 2.0 s.");
  assert.equal(targets.buildResultText("demo", s({ computed: 9, failedCount: 1, cachedBefore: 2 })), "SSL: SaliencyCut cache of demo: 9 computed, 2 already cached, 1 failed of 12 images in 2.0 s.");
  assert.equal(targets.buildResultText("demo", s({ computed: 3, cachedBefore: 2, cancelled: true })), "SSL: SaliencyCut cache of demo: cancelled after 2.0 s; 5 of 12 images cached. Build again to resume.");
  assert.equal(targets.issueText({ file: "/w/x.ssl.json", line: 13, field: "saliency.threshold", message: "must be <= 254" }), '/w/x.ssl.json:13: field "saliency.threshold": must be <= 254');
  assert.equal(targets.issueText({ file: "/w/x.ssl.json", line: 2, field: "", message: "invalid JSON" }), "/w/x.ssl.json:2: invalid JSON");
});

test("the last run's hits and misses: the newest run that looked anything up, from its metrics' last train row", () => {
  const runs = path.join(root, "runs", "exp");
  const run = (id: string, startedAt: string, rows: unknown[], tail = "") => {
    const dir = path.join(runs, id);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "summary.json"), JSON.stringify({ status: "finished", startedAt }));
    fs.writeFileSync(path.join(dir, "metrics.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n") + "\n" + tail);
  };
  assert.equal(lastRunHits(runs), undefined, "no runs folder");
  run("r1", "2026-01-01T00:00:00Z", [
    { kind: "train", step: 1, epoch: 1, loss: 1, saliency: { hits: 10, misses: 2 } },
    { kind: "train", step: 2, epoch: 1, loss: 1, saliency: { hits: 22, misses: 2 } },
    { kind: "eval", step: 2, epoch: 1 },
  ]);
  run("r2", "2026-01-02T00:00:00Z", [{ kind: "train", step: 1, epoch: 1, loss: 1 }], '{"kind":"train","step":2,"sal');
  assert.deepEqual(lastRunHits(runs), { runId: "r1", step: 2, hits: 22, misses: 2 }, "r2 has no counts (and a cut last line)");
  run("r3", "2026-01-03T00:00:00Z", [{ kind: "train", step: 5, epoch: 2, loss: 1, saliency: { hits: 57, misses: 0 } }]);
  assert.deepEqual(lastRunHits(runs), { runId: "r3", step: 5, hits: 57, misses: 0 });
  assert.equal(lastSaliencyRow(path.join(runs, "nope", "metrics.jsonl")), undefined);
});

test("the page: nonce CSP, the panel's own bundle and stylesheet, images only as data: URIs", () => {
  const html = previewHtml({ cspSource: "vscode-resource:", scriptUri: "vscode-resource:/dist/webview/saliencyExplorer.js", styleUri: "vscode-resource:/dist/webview/saliencyExplorer.css", title: "Saliency Explorer", nonce: "n0nce" });
  const csp = /content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /img-src data:(;|$)/);
  assert.match(csp, /script-src 'nonce-n0nce'(;|$)/);
  assert.ok(!/unsafe-inline|unsafe-eval|https?:/.test(csp));
  assert.ok(html.includes('<script nonce="n0nce" src="vscode-resource:/dist/webview/saliencyExplorer.js">'));
  assert.ok(fs.existsSync(path.join(repo, "webview", "saliencyExplorer", "main.ts")), "esbuild bundles webview/saliencyExplorer/main.ts to dist/webview/saliencyExplorer.js");
});

test("the page sizes the pictures for its width: small images enlarged by whole factors, large ones shrunk", () => {
  const { tileScale, tileTarget, formatBytes, formatEta, formatMs } = webviewFormat;
  assert.equal(tileTarget(1070), 348, "three columns in a wide panel");
  assert.equal(tileTarget(370), 179, "two in a narrow one");
  assert.equal(tileTarget(200), 200);
  assert.equal(tileTarget(50), 96);
  assert.equal(tileScale(160, 120, tileTarget(1070)), 2);
  assert.equal(tileScale(160, 120, tileTarget(370)), 1);
  assert.equal(tileScale(28, 28, 320), 11);
  assert.equal(tileScale(600, 450, 300), 0.5);
  assert.deepEqual([formatMs(3.25), formatMs(512.4), formatMs(12_345)], ["3.3 ms", "512 ms", "12.3 s"]);
  assert.deepEqual([formatBytes(900), formatBytes(15_400), formatBytes(3 * 1024 * 1024)], ["900 B", "15.0 KiB", "3.0 MiB"]);
  assert.deepEqual([formatEta(null), formatEta(4.4), formatEta(125)], ["", "4s", "2m 05s"]);
});

// ---- the whole loop, with the built worker ----

let deactivate = () => {};
afterEach(() => {
  deactivate();
  deactivate = () => {};
});
const activate = (ws: string) => (deactivate = activateOn(extension, ws));

const run = (id: string, ...args: unknown[]) => stub.commands.get(id)!(...args);

const nextPosted = <T extends HostToPanel>(panel: Panel, match: (m: HostToPanel) => m is T, from = 0, timeoutMs = 60_000) => panel.next(match, { from, timeoutMs });

const explored = (m: HostToPanel): m is { type: "explored"; result: ExploreResult } => m.type === "explored";
const settings = (m: HostToPanel): m is PanelSettings => m.type === "settings";
const statsReady = (m: HostToPanel): m is PanelStats => m.type === "stats" && !m.loading && !!m.stats;

const workerPids = () => childPids("dist/saliencyExplorer.js");

test(
  "open on an image, move sliders, build the cache (panel and palette, with cancel), a broken experiment, close",
  { skip: !fs.existsSync(WORKER) && "dist/saliencyExplorer.js not built (npm run build)", timeout: 180_000 },
  async () => {
    const ws = path.join(root, "ws");
    fs.mkdirSync(ws);
    fs.cpSync(path.join(EXAMPLE, "images"), path.join(ws, "images"), { recursive: true });
    const file = path.join(ws, "saliencycut-simclr.ssl.json");
    fs.copyFileSync(path.join(EXAMPLE, "saliencycut-simclr.ssl.json"), file);
    const image = path.join(ws, "images", "scene-03.jpg");
    activate(ws);

    // The explorer's context menu on an image: the panel opens with the experiment that holds it.
    await run("ssl.saliencyExplorer", Uri.file(image));
    assert.equal(panels.length, 1);
    const panel = panels[0]!;
    assert.equal(panel.viewType, "ssl.saliencyExplorer");
    assert.equal(panel.title, "Saliency Explorer");
    assert.match(panel.webview.html, /<script nonce="[^"]+" src="[^"]*dist\/webview\/saliencyExplorer\.js">/);
    panel.send({ type: "ready" });
    const t0 = Date.now();
    const first = await nextPosted(panel, explored);
    const roundTrip = Date.now() - t0;
    assert.equal(first.result.label, "scene-03.jpg");
    assert.deepEqual([first.result.width, first.result.height], [160, 120]);
    const s = [...panel.posted].reverse().find(settings)!;
    assert.equal(s.experiment?.file, file);
    assert.equal(s.experiment?.label, "saliencycut-simclr.ssl.json");
    assert.deepEqual(s.params, { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" });
    await until("the image list", () => ([...panel.posted].reverse().find(settings)?.images?.count ?? 0) === 12);
    const listed = [...panel.posted].reverse().find(settings)!;
    assert.equal(listed.selectionIndex, 3);
    assert.equal(listed.trainingChoice, true);
    const empty = await nextPosted(panel, statsReady);
    assert.deepEqual([empty.stats!.entries, empty.stats!.missing, empty.stats!.images], [0, 12, 12]);
    assert.equal(empty.lastRun, undefined);

    // A slider: a new mask.
    let mark = panel.posted.length;
    panel.send({ type: "setParams", params: { threshold: 160 } });
    const t1 = Date.now();
    const high = await nextPosted(panel, explored, mark);
    const sliderTrip = Date.now() - t1;
    assert.equal(high.result.params.threshold, 160);
    assert.notEqual(high.result.images.mask, first.result.images.mask);
    assert.ok(high.result.maskPixels < first.result.maskPixels);

    // A drag: values about as fast as SaliencyCut answers (each past the debounce, so each is asked for). An
    // answer reaches the page only while its request is the newest, so what is posted only ever moves forward
    // and ends at the last value; how many earlier values show depends on the machine's speed.
    mark = panel.posted.length;
    for (const threshold of [100, 110, 120, 130, 140]) {
      panel.send({ type: "setParams", params: { threshold } });
      await new Promise((r) => setTimeout(r, 90));
    }
    await until("the answer for the last value", () => panel.posted.slice(mark).some((m) => explored(m) && m.result.params.threshold === 140));
    await new Promise((r) => setTimeout(r, 400));
    const posted = panel.posted.slice(mark).filter(explored).map((m) => m.result.params.threshold);
    assert.equal(posted.at(-1), 140, `posted: ${posted.join(", ")}`);
    assert.deepEqual(posted, [...posted].sort((a, b) => a - b), `no answer to a stale request is posted after a newer one: ${posted.join(", ")}`);
    assert.equal(new Set(posted).size, posted.length, `each value answered at most once: ${posted.join(", ")}`);

    // As training sees it: 96x96.
    mark = panel.posted.length;
    panel.send({ type: "setTraining", training: true });
    const training = await nextPosted(panel, explored, mark);
    assert.deepEqual([training.result.width, training.result.height], [96, 96]);

    // Build from the panel: a cancellable notification, then the stats show 12 entries.
    mark = panel.posted.length;
    panel.send({ type: "buildCache" });
    await until("the build notification", () => stub.progress.length === 1);
    const note = stub.progress[0]!;
    assert.equal(note.title, "SaliencyCut cache of saliencycut-simclr");
    const done = await stub.nextMessage(/SaliencyCut cache of saliencycut-simclr: 12 computed/);
    assert.equal(done.kind, "info");
    assert.ok(note.reports.some((r) => /\d+\/12 images/.test(r.message ?? "")), JSON.stringify(note.reports));
    const total = note.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0);
    assert.ok(total > 99 && total <= 100.0001, `increments add up to 100 (${total})`);
    assert.ok(panel.posted.slice(mark).some((m) => m.type === "build" && m.state === "running"));
    await until("the build's end in the panel", () => panel.posted.slice(mark).some((m) => m.type === "build" && m.state === "done"));
    const built = await nextPosted(panel, (m): m is PanelStats => statsReady(m) && m.stats!.entries === 12, mark);
    assert.deepEqual([built.stats!.current, built.stats!.cached, built.stats!.missing], [12, 12, 0]);
    assert.ok(built.stats!.diskBytes > 0);

    // The palette command: everything cached already.
    stub.shown = [];
    await run("ssl.buildSaliencyCache", Uri.file(file));
    assert.match((await stub.nextMessage(/SaliencyCut cache of/)).text, /0 computed, 12 already cached of 12 images/);

    // Cancel in the notification: the build stops; what is cached stays; the next build resumes.
    fs.rmSync(path.join(ws, ".ssl-cache"), { recursive: true, force: true });
    stub.shown = [];
    const progressBefore = stub.progress.length;
    const building = run("ssl.buildSaliencyCache", Uri.file(file)) as Promise<void>;
    await until("the second notification", () => stub.progress.length === progressBefore + 1);
    stub.progress.at(-1)!.cancel();
    await building;
    const cancelled = await stub.nextMessage(/SaliencyCut cache of saliencycut-simclr/);
    assert.match(cancelled.text, /cancelled after [\d.]+ s; \d+ of 12 images cached\. Build again to resume\./);
    stub.shown = [];
    await run("ssl.buildSaliencyCache", Uri.file(file));
    assert.match((await stub.nextMessage(/SaliencyCut cache of/)).text, /\d+ computed, \d+ already cached of 12 images/);

    // A broken experiment: the panel names file, line and field; so does a build.
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"threshold": 70', '"threshold": 700'));
    mark = panel.posted.length;
    await run("ssl.saliencyExplorer", Uri.file(file));
    const issues = await nextPosted(panel, (m): m is Extract<HostToPanel, { type: "issues" }> => m.type === "issues" && m.issues.length > 0, mark);
    assert.deepEqual(
      issues.issues.map((i) => [i.file, i.line, i.field]),
      [[file, 13, "saliency.threshold"]],
    );
    stub.shown = [];
    await run("ssl.buildSaliencyCache", Uri.file(file));
    const error = await stub.nextMessage(/threshold/);
    assert.equal(error.kind, "error");
    assert.match(error.text, /saliencycut-simclr\.ssl\.json:13: field "saliency\.threshold"/);

    // Closing the panel stops the worker.
    assert.equal(workerPids().length, 1, "one worker while the panel is open");
    panel.dispose();
    await until("the worker to exit", () => workerPids().length === 0, 10_000);
    console.log(`# first answer ${roundTrip} ms after ready (worker start included); slider → answer ${sliderTrip} ms`);
  },
);
