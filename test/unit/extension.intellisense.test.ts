/**
 * IntelliSense in experiment files (src/extension/intellisense/), activated
 * through the stand-in `vscode` module against a real workspace on disk:
 * path, checkpoint and preset completion, hover with the papers' values,
 * the "ssl-studio" diagnostics as files open and change, and quick fixes
 * whose edits, applied, make the diagnostic go away.
 */
import { after, afterEach, before, test } from "node:test";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { parse } from "jsonc-parser";
import { AUGMENT_PRESETS } from "../../src/core/config/augmentSchema";
import { editorJsonSchema } from "../../src/core/config/editorSchema";
import { RECIPE_NAMES } from "../../src/core/config/recipes";
import { defaultSaliencyConfig, saliencyParams } from "../../src/core/config/saliencySchema";
import { writeEntry } from "../../src/core/saliency/cache/entryStore";
import { vscodeStub } from "./vscodeStubHost";

const vscode = vscodeStub;
const { stub, openDocument, changeDocument } = vscode;
const extension = require("../../src/extension/extension") as typeof import("../../src/extension/extension");

type Doc = InstanceType<typeof vscode.Doc>;
type Item = InstanceType<typeof vscode.CompletionItem>;
type Diagnostic = InstanceType<typeof vscode.Diagnostic>;
type Action = InstanceType<typeof vscode.CodeAction>;

const repo = path.resolve(__dirname, "../..");
const examples = path.join(repo, "examples");
const ws = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-intellisense-"));
const EXP = path.join(ws, "exp");
const SAL = path.join(ws, "sal");
let subscriptions: { dispose(): unknown }[] = [];

before(() => {
  // exp/: the SimCLR example next to a data folder with a file, a sub-folder and a hidden folder.
  fs.mkdirSync(path.join(EXP, "data", "images"), { recursive: true });
  fs.mkdirSync(path.join(EXP, "data", ".hidden"));
  fs.copyFileSync(path.join(examples, "data/fashion-mnist-5k/train-labels-idx1-ubyte.gz"), path.join(EXP, "data", "train-labels-idx1-ubyte.gz"));
  fs.copyFileSync(path.join(examples, "fashion-mnist-simclr.ssl.json"), path.join(EXP, "simclr.ssl.json"));
  // base/: an experiment with a finished run and two checkpoints, for init.checkpoint.
  const run = path.join(ws, "base", "runs", "base", "20260101-120000");
  fs.writeFileSync(path.join(ws, "base.ssl.json"), '{ "dataset": { "format": "embedded", "name": "fashion-mnist-5k" }, "runsDir": "base/runs" }');
  fs.mkdirSync(path.join(run, "checkpoints"), { recursive: true });
  for (const epoch of [1, 2]) {
    fs.mkdirSync(path.join(run, "checkpoints", String(epoch)));
    const meta = { epoch, step: epoch * 10, savedAt: "2026-01-01T12:00:00Z", loss: 5 - epoch, knn: 0.7 + epoch / 100, backend: "wasm", seed: 0, wallSeconds: epoch, files: {} };
    fs.writeFileSync(path.join(run, "checkpoints", String(epoch), "meta.json"), JSON.stringify(meta));
  }
  const summary = { experiment: "base", runId: "20260101-120000", method: "simclr", status: "finished", backend: "wasm", startedAt: "2026-01-01T12:00:00Z", epochs: 2, epochsDone: 2, steps: 20, knnInitial: 0.7, knnFinal: 0.72, trainImages: 64, skippedImages: 0, wallSeconds: 3 };
  fs.writeFileSync(path.join(run, "summary.json"), JSON.stringify(summary));
  // sal/: the SaliencyCut example with three image files and no cache yet.
  fs.mkdirSync(path.join(SAL, "images"), { recursive: true });
  for (const n of ["a.png", "b.jpg", "c.jpeg"]) fs.writeFileSync(path.join(SAL, "images", n), "not decoded by the editor");
  fs.copyFileSync(path.join(examples, "saliency", "saliencycut-simclr.ssl.json"), path.join(SAL, "sal.ssl.json"));
});
after(() => fs.rmSync(ws, { recursive: true, force: true }));

function activate(): void {
  stub.reset(ws);
  subscriptions = [];
  extension.activate({ subscriptions, extensionPath: repo, asAbsolutePath: (p: string) => path.join(repo, p) } as never);
}

afterEach(() => {
  extension.deactivate();
  for (const s of subscriptions) s.dispose();
});

const provider = (kind: string) => {
  const found = stub.languageProviders.filter((p) => p.kind === kind);
  assert.equal(found.length, 1, `one ${kind} provider`);
  return found[0]!;
};

/** The position `delta` characters after the first `needle` in the document. */
function pos(doc: Doc, needle: string, delta = needle.length) {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" in the document`);
  return doc.positionAt(i + delta);
}

async function complete(file: string, text: string, needle: string, delta?: number): Promise<Item[] | undefined> {
  const doc = new vscode.Doc(vscode.Uri.file(file), text);
  return provider("completion").provider.provideCompletionItems(doc, pos(doc, needle, delta));
}

const ours = (file: string): Diagnostic[] => stub.diagnostics.get("ssl-studio-advice")?.get(vscode.Uri.file(file).toString()) ?? [];
const textOf = (doc: Doc, d: Diagnostic) => doc.getText().slice(doc.offsetAt(d.range.start), doc.offsetAt(d.range.end));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies a code action's edit to the document's text, as VS Code would. */
function apply(doc: Doc, action: Action): string {
  let text = doc.getText();
  const edits = [...action.edit!.replacements].sort((a, b) => doc.offsetAt(b.range.start) - doc.offsetAt(a.range.start));
  for (const e of edits) text = text.slice(0, doc.offsetAt(e.range.start)) + e.text + text.slice(doc.offsetAt(e.range.end));
  return text;
}

test("activation registers completion (triggered by \" and /), hover and quick fixes for *.ssl.json, and the ssl-studio diagnostics", () => {
  activate();
  const completion = provider("completion");
  assert.deepEqual(completion.selector, { language: "jsonc", pattern: "**/*.ssl.json" });
  assert.deepEqual(completion.extra, ['"', "/"]);
  assert.deepEqual(provider("hover").selector, completion.selector);
  assert.deepEqual((provider("codeActions").extra[0] as { providedCodeActionKinds: string[] }).providedCodeActionKinds, ["quickfix"]);
  assert.ok(stub.diagnostics.has("ssl-studio-advice"));
});

test("dataset path completion lists the folder typed so far: folders go one level deeper, hidden entries stay out", async () => {
  activate();
  const file = path.join(EXP, "idx.ssl.json");
  const text = '{\n  "dataset": { "format": "idx", "trainImages": "data/" }\n}';
  const items = (await complete(file, text, '"data/'))!;
  assert.deepEqual(items.map((i) => i.label), ["images", "train-labels-idx1-ubyte.gz"], "folders first, no .hidden");
  const [folder, gz] = items as [Item, Item];
  assert.deepEqual([folder.kind, folder.insertText, folder.command?.command], [vscode.CompletionItemKind.Folder, "images/", "editor.action.triggerSuggest"]);
  assert.deepEqual([gz.kind, gz.insertText], [vscode.CompletionItemKind.File, undefined]);
  // The segment after the last "/" is what an item replaces.
  const start = text.indexOf('"data/') + 6;
  assert.deepEqual([folder.range!.start, folder.range!.end], [new vscode.Doc(vscode.Uri.file(file), text).positionAt(start), new vscode.Doc(vscode.Uri.file(file), text).positionAt(start)]);
  // An image-folder dataset takes folders only; the experiment's own folder at the start.
  const top = (await complete(file, '{ "dataset": { "format": "folder", "train": "" } }', '"train": "', 10))!;
  assert.deepEqual(top.map((i) => i.label), ["data"]);
  assert.deepEqual((await complete(file, '{ "dataset": { "format": "folder", "train": "data/" } }', '"data/'))!.map((i) => i.label), ["images"]);
  // A "." typed asks for hidden entries too.
  assert.ok((await complete(file, '{ "dataset": { "format": "folder", "train": "data/." } }', '"data/.'))!.some((i) => i.label === ".hidden"));
  // Not a path field, or not inside a string: nothing from us (the schema completes those).
  assert.equal(await complete(file, '{ "method": "" }', '"method": "', 11), undefined);
  assert.equal(await complete(file, '{ "dataset": { "format": "folder", "train": "" } }', '"train"', 3), undefined, "on the key");
});

test("init.checkpoint completion offers the workspace's runs and their checkpoints, relative to the file", async () => {
  activate();
  const items = (await complete(path.join(EXP, "hpt.ssl.json"), '{ "init": { "checkpoint": "../b" } }', '"../b'))!;
  const run = "../base/runs/base/20260101-120000";
  assert.deepEqual(items.map((i) => i.label), [run, `${run}/checkpoints/2`, `${run}/checkpoints/1`], "the run (its last checkpoint), then its checkpoints newest first");
  assert.match(items[0]!.detail!, /^base · .*kNN 72\.0%.* · its last checkpoint$/);
  assert.match(items[1]!.detail!, /^base · epoch 2 · loss 3\.0+ · kNN 72\.0%$/);
  const text = '{ "init": { "checkpoint": "../b" } }';
  const doc = new vscode.Doc(vscode.Uri.file(path.join(EXP, "hpt.ssl.json")), text);
  assert.equal(doc.offsetAt(items[0]!.range!.start), text.indexOf("../b"), "the whole path is replaced");
  assert.equal(doc.offsetAt(items[0]!.range!.end), text.indexOf("../b") + 4);
});

test("preset completion puts the method's own policy first, says which presets the method cannot use, and shows the ops", async () => {
  activate();
  const file = path.join(EXP, "p.ssl.json");
  const byRank = (items: Item[]) => [...items].sort((a, b) => a.sortText!.localeCompare(b.sortText!));
  const dino = byRank((await complete(file, '{ "method": "dino", "augment": { "preset": "" } }', '"preset": "', 11))!);
  assert.deepEqual(dino.map((i) => i.label).sort(), [...AUGMENT_PRESETS].sort());
  assert.equal(dino[0]!.label, "dino");
  assert.equal(dino[0]!.detail, "8 views (global1 + global2 + 6 local) · dino's own policy");
  assert.match(dino[0]!.documentation!.value, /\*\*local\*\* ×6, 43% of imageSize: randomResizedCrop \(scale \[0\.05, 0\.4\]\)/);
  const mae = byRank((await complete(file, '{ "method": "mae", "augment": { "preset": "" } }', '"preset": "', 11))!);
  assert.equal(mae[0]!.label, "crop");
  const simclr = mae.find((i) => i.label === "simclr")!;
  assert.match(simclr.detail!, /not for mae: mae uses 1 views of each image; this policy makes 2/);
  assert.ok(mae.indexOf(simclr) > mae.findIndex((i) => !/not for/.test(i.detail!)), "usable presets rank above unusable ones");
  const recipes = (await complete(file, '{ "recipe": "" }', '"recipe": "', 11))!;
  assert.deepEqual(recipes.map((i) => i.label), [...RECIPE_NAMES]);
  assert.match(recipes[0]!.documentation!.value, /"queueSize": 65536/);
});

test("the editor schema checks preset and recipe names by pattern, without listing them a second time", () => {
  const schema = editorJsonSchema() as { properties: Record<string, { pattern?: string; anyOf?: unknown; const?: unknown; properties?: Record<string, { pattern?: string; anyOf?: unknown }> }> };
  const preset = schema.properties.augment!.properties!.preset!;
  const recipe = schema.properties.recipe!;
  assert.equal(preset.anyOf, undefined);
  assert.equal(recipe.const, undefined);
  for (const name of AUGMENT_PRESETS) assert.match(name, new RegExp(preset.pattern!));
  for (const name of RECIPE_NAMES) assert.match(name, new RegExp(recipe.pattern!));
  for (const wrong of ["dinox", "saliencycut-p0x5-default", ""]) assert.doesNotMatch(wrong, new RegExp(preset.pattern!));
});

test("hover shows what the field accepts and the papers' values with their source (the description is the JSON hover's)", () => {
  activate();
  const hover = provider("hover").provider;
  const doc = new vscode.Doc(vscode.Uri.file(path.join(EXP, "simclr.ssl.json")));
  const h = hover.provideHover(doc, pos(doc, '"temperature"', 3));
  const md: string = h.contents.value;
  assert.match(md, /^\*\*simclr\.temperature\*\* · number in \(0, 1\] · default `0\.5`/);
  assert.ok(!md.includes("NT-Xent temperature tau"), "VS Code's JSON hover shows the description in the same box");
  assert.ok(md.includes("**Paper values:** `0.5` — Chen et al. 2020 (SimCLR), appendix B.9 (CIFAR-10); `0.1` — Chen et al. 2020 (SimCLR), table 5 (ImageNet, batch 4096)"), md);
  assert.equal(textOf(doc, { range: h.range } as Diagnostic), '"temperature"', "the hovered key");
  // On a value too, and a preset's value shows its views.
  const p = new vscode.Doc(vscode.Uri.file(path.join(EXP, "x.ssl.json")), '{ "method": "dino", "augment": { "preset": "dino" } }');
  assert.match(hover.provideHover(p, pos(p, '"dino" }', 2)).contents.value, /\*\*augment\.preset\*\*[\s\S]*- \*\*local\*\* ×6/);
  // Between fields, nothing.
  assert.equal(hover.provideHover(p, pos(p, "{ ", 1)), undefined);
});

test("diagnostics: a SimCLR file with batch 32 warns on the value; the quick fix sets 64 and the warning goes away", async () => {
  activate();
  const file = path.join(EXP, "simclr.ssl.json");
  const text = fs.readFileSync(file, "utf8").replace('"batchSize": 256', '"batchSize": 32');
  const doc = openDocument(file, text);
  const [d, ...rest] = ours(file);
  assert.deepEqual(rest, []);
  assert.deepEqual([d!.source, d!.code, d!.severity], ["ssl-studio", "small-batch-contrastive", vscode.DiagnosticSeverity.Warning]);
  assert.equal(textOf(doc, d!), "32", "the value is underlined");
  assert.match(d!.message, /batch size 32: few negatives.*consider SimSiam, BYOL or Barlow Twins/);
  const actions: Action[] = provider("codeActions").provider.provideCodeActions(doc, d!.range, { diagnostics: [d] });
  assert.deepEqual(actions.map((a) => a.title), [
    "Set train.batchSize to 64",
    "Switch method to simsiam (SimSiam: no negatives)",
    "Switch method to byol (BYOL: no negatives)",
    "Switch method to barlowtwins (Barlow Twins: no negatives)",
  ]);
  assert.deepEqual([actions[0]!.kind, actions[0]!.isPreferred, actions[1]!.isPreferred, actions[0]!.diagnostics], ["quickfix", true, false, [d]]);
  const fixed = apply(doc, actions[0]!);
  assert.equal(fixed, text.replace('"batchSize": 32', '"batchSize": 64'), "only the value changes; comments and layout stay");
  changeDocument(doc, fixed);
  assert.equal(ours(file).length, 1, "typing is debounced");
  await sleep(450);
  assert.deepEqual(ours(file), []);
  // A diagnostic of another source gets no action from us.
  assert.deepEqual(provider("codeActions").provider.provideCodeActions(doc, d!.range, { diagnostics: [{ ...d, source: "json" }] }), []);
  stub.onDidClose.fire(doc);
  assert.equal(stub.diagnostics.get("ssl-studio-advice")!.has(doc.uri.toString()), false, "closing the file clears its diagnostics");
});

test("diagnostics: temperature, multi-crop, missing paths and the config check's own rules, each on its value; schema errors left to the JSON service", () => {
  activate();
  const file = path.join(EXP, "simclr.ssl.json");
  const base = fs.readFileSync(file, "utf8");
  const check = (text: string) => {
    const doc = openDocument(file, text);
    return ours(file).map((d) => [d.code, textOf(doc, d), d.severity]);
  };
  const E = vscode.DiagnosticSeverity.Error;
  const W = vscode.DiagnosticSeverity.Warning;
  assert.deepEqual(check(base), []);
  assert.deepEqual(check(base.replace('"temperature": 0.2', '"temperature": 1.5')), [["temperature-range", "1.5", E]]);
  // The schema rejects the optimizer: its message is the JSON service's, but the temperature advice still shows.
  assert.deepEqual(check(base.replace('"temperature": 0.2', '"temperature": 0').replace('"adam"', '"adamw"')), [["temperature-range", "0", E]]);
  assert.deepEqual(check(base.replace('"simclr"', '"dino"')).map((d) => [d[0], (d[1] as string).slice(0, 1), d[2]]), [["no-multi-crop", "[", W]]);
  const missing = check(base.replace('{ "format": "embedded", "name": "fashion-mnist-5k" }', '{ "format": "folder", "train": "data/images", "test": "data/nope" }'));
  assert.deepEqual(missing, [["dataset-path-missing", '"data/nope"', E]]);
  // A rule of the config check that the JSON Schema cannot express: shown while editing, at its field.
  const mae = check(base.replace('"method": "simclr"', '"method": "mae"').replace(/"augment": \{[\s\S]*?\n  \},\n/, ""));
  assert.deepEqual(mae.map((d) => [d[0], d[2]]), [["config", E]]);
  assert.match(mae[0]![1] as string, /^"backbone": "convnet"$/);
});

test("saliencyCut without a cache: a warning with Build (the command, with the file) and onMiss fixes, gone once the cache holds every image", async () => {
  activate();
  const file = path.join(SAL, "sal.ssl.json");
  // Batch 64 so only the cache advice is left.
  const text = fs.readFileSync(file, "utf8").replace('"batchSize": 12', '"batchSize": 64');
  const doc = openDocument(file, text);
  const [d, ...rest] = ours(file);
  assert.deepEqual(rest, []);
  assert.deepEqual([d!.code, textOf(doc, d!), d!.severity], ["saliency-cache-missing", '"saliencycut-p0.5-default"', vscode.DiagnosticSeverity.Warning]);
  assert.match(d!.message, /has no results for these settings/);
  const actions: Action[] = provider("codeActions").provider.provideCodeActions(doc, d!.range, { diagnostics: [d] });
  assert.deepEqual(actions.map((a) => a.title), ["Build the SaliencyCut cache", 'Set saliency.cache.onMiss to "compute"']);
  assert.equal(actions[0]!.command!.command, "ssl.buildSaliencyCache");
  assert.equal((actions[0]!.command!.arguments![0] as { fsPath: string }).fsPath, file);
  const compute = apply(doc, actions[1]!);
  assert.deepEqual((parse(compute) as { saliency: unknown }).saliency, { map: "rc", threshold: 70, cache: { onMiss: "compute" } });
  assert.ok(compute.startsWith("// SimCLR with SaliencyCut"), "comments kept");

  // Entries for two of the three images, then the third: written as `cache build` writes them.
  const cacheDir = path.join(SAL, ".ssl-cache", "saliency");
  const params = saliencyParams({ ...defaultSaliencyConfig(), map: "rc", threshold: 70 });
  const entry = { width: 2, height: 1, mask: new Uint8Array([1, 0]), regions: new Uint16Array([1, 0]), regionCount: 1 };
  const add = async (index: number) => {
    const key = crypto.createHash("sha256").update(`image ${index}`).digest("hex");
    await writeEntry(cacheDir, { key, pixelHash: key, params, version: 1, image: { index }, width: 2, height: 1, regionCount: 1 }, entry);
  };
  await add(0);
  await add(1);
  changeDocument(doc, text);
  await sleep(450);
  assert.match(ours(file)[0]!.message, /has results for 2 of 3 training images/);
  await add(2);
  changeDocument(doc, text);
  await sleep(450);
  assert.deepEqual(ours(file), []);
});

test("training images are counted without decoding: IDX headers (gzipped), CIFAR-10 batch sizes, image files as the folder loader sees them", () => {
  const { folderImageCount, trainImageCount } = require("../../src/extension/intellisense/trainImageCount") as typeof import("../../src/extension/intellisense/trainImageCount");
  const count = (config: object, dir = ws) => trainImageCount(config as never, dir, repo);
  assert.equal(count({ dataset: { format: "embedded", name: "fashion-mnist-5k" } }), 5000);
  assert.equal(count({ dataset: { format: "embedded", name: "fashion-mnist-5k" }, limit: { train: 512 } }), 512);
  assert.equal(count({ dataset: { format: "idx", trainImages: "train-labels-idx1-ubyte.gz" } }, path.join(EXP, "data")), 5000, "the header's count, from the first bytes of the gzip");
  const cifar = path.join(ws, "cifar");
  fs.mkdirSync(cifar, { recursive: true });
  for (const n of [1, 2]) fs.writeFileSync(path.join(cifar, `data_batch_${n}.bin`), Buffer.alloc(3 * 3073));
  fs.writeFileSync(path.join(cifar, "test_batch.bin"), Buffer.alloc(3073));
  assert.equal(count({ dataset: { format: "cifar10", dir: "cifar" } }), 6, "training batches only");
  // A labelled folder (classes in sub-folders): images at its top are skipped, as the loader does.
  const labelled = path.join(ws, "labelled");
  fs.mkdirSync(path.join(labelled, "cat"), { recursive: true });
  for (const f of ["top.png", "cat/a.png", "cat/b.JPG", "cat/notes.txt", ".hidden.png"]) fs.writeFileSync(path.join(labelled, f), "");
  assert.equal(folderImageCount(labelled), 2);
  assert.equal(folderImageCount(path.join(SAL, "images")), 3, "unlabelled: the top-level images");
  assert.equal(count({ dataset: { format: "folder", train: "nope" } }), undefined);
});

test("the IntelliSense code loads neither TensorFlow.js, sharp, opencv.js, the data loaders nor SaliencyCut itself", async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(repo, "src/extension/intellisense/register.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    external: ["vscode", "@tensorflow/*", "sharp", "@techstark/opencv-js"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes("intellisense/register.ts")));
  assert.deepEqual(inputs.filter((i) => /@tensorflow|sharp|opencv|src[\\/]core[\\/](data|backend|models|methods)[\\/]|saliency[\\/]saliencyCut\.ts/.test(i)), []);
  const imports = Object.values(result.metafile.outputs)[0]!.imports.map((i) => i.path);
  assert.deepEqual(imports.filter((p) => /tensorflow|sharp|opencv/.test(p)), []);
});
