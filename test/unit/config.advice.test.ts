// The editor's advice rules (core/config/advice.ts) on the example experiments
// and variations of them: each rule fires where it should, not elsewhere, and
// its fixes, applied to the text, make it go away and leave a valid config.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { applyEdits, modify, parse, type JSONPath } from "jsonc-parser";
import { experimentAdvice, type Advice, type AdviceEnv } from "../../src/core/config/advice";
import { fieldInfo } from "../../src/core/config/fieldInfo";
import { DATASET_PATH_FIELDS, fieldKind } from "../../src/core/config/fieldKinds";
import { datasetPathFields, parseExperiment } from "../../src/core/config/load";
import { METHODS, METHOD_SCHEMAS } from "../../src/core/config/methodSchema";
import { PAPER_VALUES } from "../../src/core/config/paperValues";
import type { Experiment } from "../../src/core/config/schema";

const examples = path.resolve(__dirname, "../../examples");
const SIMCLR_FILE = path.join(examples, "fashion-mnist-simclr.ssl.json");
const SALIENCY_FILE = path.join(examples, "saliency", "saliencycut-simclr.ssl.json");
const simclrText = fs.readFileSync(SIMCLR_FILE, "utf8");
const saliencyText = fs.readFileSync(SALIENCY_FILE, "utf8");

/** The real file system around `file`, and a SaliencyCut cache in the state given. */
function envFor(file: string, cache?: { entries: number; images?: number }): AdviceEnv {
  return {
    fileExists: (rel) => fs.existsSync(path.resolve(path.dirname(file), rel)),
    saliencyCache: () => cache,
  };
}

const set = (text: string, at: JSONPath, value: unknown) =>
  applyEdits(text, modify(text, at, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
const advise = (text: string, env: AdviceEnv) => experimentAdvice(parse(text), env);
const codes = (advice: Advice[]) => advice.map((a) => a.code);

/** Applies a fix's edit to the text, as the quick fix does. */
function applyFix(text: string, advice: Advice, title: RegExp): string {
  const fix = advice.fixes.find((f) => title.test(f.title));
  assert.ok(fix && "edit" in fix, `a fix titled ${title}; there are: ${advice.fixes.map((f) => f.title).join(" | ")}`);
  return set(text, fix.edit.path, fix.edit.value);
}

test("the SimCLR example gets no advice; the saliency example only the small-batch warning when its cache is built", () => {
  assert.deepEqual(advise(simclrText, envFor(SIMCLR_FILE, { entries: 0 })), []);
  // 12 images, batch 12: SimCLR with 22 negatives per pair.
  assert.deepEqual(codes(advise(saliencyText, envFor(SALIENCY_FILE, { entries: 12, images: 12 }))), ["small-batch-contrastive"]);
});

test("SimCLR with a batch below 64 warns of few negatives; each fix makes the warning go away", () => {
  const text = set(simclrText, ["train", "batchSize"], 32);
  const [a, ...rest] = advise(text, envFor(SIMCLR_FILE));
  assert.deepEqual(rest, []);
  assert.equal(a!.code, "small-batch-contrastive");
  assert.equal(a!.severity, "warning");
  assert.deepEqual(a!.path, ["train", "batchSize"]);
  assert.match(a!.message, /batch size 32: few negatives \(each pair is contrasted with 62 other views\)/);
  assert.match(a!.message, /SimSiam, BYOL or Barlow Twins/);
  assert.deepEqual(a!.fixes.map((f) => f.title), [
    "Set train.batchSize to 64",
    "Switch method to simsiam (SimSiam: no negatives)",
    "Switch method to byol (BYOL: no negatives)",
    "Switch method to barlowtwins (Barlow Twins: no negatives)",
  ]);
  for (const title of [/batchSize to 64/, /simsiam/, /byol/, /barlowtwins/]) {
    const fixed = applyFix(text, a!, title);
    assert.deepEqual(advise(fixed, envFor(SIMCLR_FILE)), [], `after "${title}"`);
    assert.deepEqual(parseExperiment(fixed, SIMCLR_FILE).issues, [], `a valid config after "${title}"`);
  }
  assert.match(applyFix(text, a!, /batchSize to 64/), /"batchSize": 64,/);
});

test("the small-batch rule leaves batches of 64 and MoCo alone (its negatives come from the queue)", () => {
  assert.deepEqual(advise(set(simclrText, ["train", "batchSize"], 64), envFor(SIMCLR_FILE)), []);
  const moco = set(set(simclrText, ["method"], "moco"), ["train", "batchSize"], 16);
  assert.deepEqual(advise(moco, envFor(SIMCLR_FILE)), []);
});

test("a temperature outside (0, 1] is flagged on its value with the paper's value as the fix", () => {
  for (const bad of [1.5, 0, -0.2]) {
    const text = set(simclrText, ["simclr", "temperature"], bad);
    const [a, ...rest] = advise(text, envFor(SIMCLR_FILE));
    assert.deepEqual(rest, []);
    assert.equal(a!.code, "temperature-range");
    assert.equal(a!.severity, "error", "the schema refuses it: training would not start");
    assert.deepEqual(a!.path, ["simclr", "temperature"]);
    assert.match(a!.message, new RegExp(`simclr\\.temperature is ${bad}, outside \\(0, 1\\]`));
    assert.match(a!.message, /The paper's value: 0\.5 \(Chen et al\. 2020 \(SimCLR\), appendix B\.9, CIFAR-10\)/);
    const fixed = applyFix(text, a!, /^Set simclr\.temperature to 0\.5/);
    assert.match(fixed, /"simclr": \{ "temperature": 0\.5 \}/, "the value replaced in place, the line kept");
    assert.deepEqual(advise(fixed, envFor(SIMCLR_FILE)), []);
  }
  // MoCo's own value; the kNN temperature may exceed 1 (the schema allows it), so only a warning.
  const moco = advise(set(simclrText, ["moco"], { temperature: 2 }), envFor(SIMCLR_FILE));
  assert.deepEqual(moco[0]!.fixes.map((f) => "edit" in f && f.edit.value), [0.2]);
  const knn = advise(set(simclrText, ["eval", "knnTemperature"], 2), envFor(SIMCLR_FILE));
  assert.deepEqual([knn[0]!.code, knn[0]!.severity, knn[0]!.fixes.map((f) => "edit" in f && f.edit.value)], ["temperature-range", "warning", [0.07]]);
  assert.deepEqual(advise(set(simclrText, ["simclr", "temperature"], 1), envFor(SIMCLR_FILE)), [], "1 is inside (0, 1]");
});

test("DINO and SwAV without multi-crop: a warning, and the fix adds the local crops (explicit views) or picks the preset", () => {
  // The example's explicit two views, with DINO.
  const dino = set(simclrText, ["method"], "dino");
  const [a, ...rest] = advise(dino, envFor(SIMCLR_FILE));
  assert.deepEqual(rest, []);
  assert.deepEqual([a!.code, a!.severity, a!.path], ["no-multi-crop", "warning", ["augment", "views"]]);
  assert.match(a!.message, /dino without multi-crop: this policy makes 2 views of each image\. DINO trains on 2 global crops plus 6 small local crops \(Caron et al\. 2021\)/);
  const fixed = applyFix(dino, a!, /Add 6 local crops/);
  assert.deepEqual(advise(fixed, envFor(SIMCLR_FILE)), []);
  const { config, issues } = parseExperiment(fixed, SIMCLR_FILE);
  assert.deepEqual(issues, []);
  assert.deepEqual(config!.augment.views!.map((v) => [v.name, v.count]), [["view", 2], ["local", 6]], "the file's own views kept, the local crops added");
  // A two-view preset with SwAV: the fix names SwAV's preset.
  const swav = set(set(simclrText, ["method"], "swav"), ["augment"], { preset: "simclr" });
  const [b] = advise(swav, envFor(SIMCLR_FILE));
  assert.deepEqual([b!.code, b!.path], ["no-multi-crop", ["augment", "preset"]]);
  assert.match(b!.message, /SwAV trains on 2 global crops plus 6 small local crops \(Caron et al\. 2020\)/);
  assert.deepEqual(advise(applyFix(swav, b!, /Use the swav preset/), envFor(SIMCLR_FILE)), []);
  // Without an augment section each method gets its paper's policy: multi-crop already.
  assert.deepEqual(advise(set(swav, ["augment"], undefined), envFor(SIMCLR_FILE)), []);
});

test("a dataset path or checkpoint that does not exist is an error on its value; existing ones are fine", () => {
  assert.deepEqual(advise(saliencyText, envFor(SALIENCY_FILE, { entries: 12 })).filter((a) => a.code === "dataset-path-missing"), []);
  const [a] = advise(set(saliencyText, ["dataset", "train"], "imagez"), envFor(SALIENCY_FILE, { entries: 12 })).filter((x) => x.code === "dataset-path-missing");
  assert.deepEqual([a!.severity, a!.path, a!.fixes], ["error", ["dataset", "train"], []]);
  assert.equal(a!.message, 'dataset.train: the folder "imagez" does not exist (paths are relative to the experiment file\'s folder).');
  const idx = set(simclrText, ["dataset"], { format: "idx", trainImages: "data/fashion-mnist-5k/train-images-idx3-ubyte.gz", testImages: "data/t10k.gz", testLabels: "data/fashion-mnist-5k/t10k-labels-idx1-ubyte.gz" });
  assert.deepEqual(advise(idx, envFor(SIMCLR_FILE)).map((x) => [x.code, x.path.join("."), x.message.includes('the file "data/t10k.gz"')]), [["dataset-path-missing", "dataset.testImages", true]]);

  const init = (checkpoint: string) => set(simclrText, ["init"], { checkpoint });
  const [c] = advise(init("runs/base/20990101-000000"), envFor(SIMCLR_FILE));
  assert.deepEqual([c!.code, c!.severity, c!.path], ["checkpoint-missing", "error", ["init", "checkpoint"]]);
  assert.match(c!.message, /"runs\/base\/20990101-000000" does not exist/);
  assert.deepEqual(advise(init("data/fashion-mnist-5k"), envFor(SIMCLR_FILE)), [], "an existing folder is not flagged here (loading it says whether it is a checkpoint)");
});

test("saliencyCut without a built cache: a warning on the op with Build and onMiss fixes; none once built", () => {
  const env = (entries: number, images?: number) => envFor(SALIENCY_FILE, { entries, images });
  const big = set(saliencyText, ["train", "batchSize"], 64);
  assert.deepEqual(advise(big, env(12, 12)), []);
  const [a, ...rest] = advise(big, env(0, 12));
  assert.deepEqual(rest, []);
  assert.deepEqual([a!.code, a!.severity, a!.path], ["saliency-cache-missing", "warning", ["augment", "preset"]]);
  assert.match(a!.message, /the SaliencyCut cache \(\.ssl-cache\/saliency\) has no results for these settings; training stops at the first image without one/);
  assert.deepEqual(a!.fixes, [
    { title: "Build the SaliencyCut cache", command: "buildSaliencyCache" },
    { title: 'Set saliency.cache.onMiss to "compute"', edit: { path: ["saliency", "cache", "onMiss"], value: "compute" } },
  ]);
  assert.match(advise(big, env(5, 12))[0]!.message, /has results for 5 of 12 training images/);
  // Images that cannot be counted: only an empty cache is reported.
  assert.deepEqual(codes(advise(big, env(0))), ["saliency-cache-missing"]);
  assert.deepEqual(advise(big, env(3)), []);
  // onMiss "compute": training goes on, slowly: information, and no onMiss fix.
  const compute = applyFix(big, a!, /onMiss/);
  const [b] = advise(compute, env(0, 12));
  assert.deepEqual([b!.severity, b!.fixes.length], ["info", 1]);
  // An explicit op is pointed at; p = 0 never runs it.
  const views = set(big, ["augment"], { views: [{ count: 2, ops: [{ op: "saliencyCut", p: 0.5 }, { op: "randomResizedCrop" }] }] });
  assert.deepEqual(advise(views, env(0, 12))[0]!.path, ["augment", "views", 0, "ops", 0, "op"]);
  assert.deepEqual(advise(set(views, ["augment", "views", 0, "ops", 0, "p"], 0), env(0, 12)), []);
  // No cache state to be had (the environment cannot tell): no advice rather than a wrong one.
  assert.deepEqual(advise(big, { fileExists: () => true }), []);
});

test("fieldKind knows the path fields load.ts checks, per dataset format", () => {
  const full: Record<string, Record<string, string>> = {
    folder: { format: "folder", train: "a", test: "b" },
    idx: { format: "idx", trainImages: "a", trainLabels: "b", testImages: "c", testLabels: "d" },
    cifar10: { format: "cifar10", dir: "a" },
  };
  for (const [format, dataset] of Object.entries(full)) {
    const checked = datasetPathFields({ dataset } as unknown as Experiment).map((f) => f.field).sort();
    assert.deepEqual(Object.keys(DATASET_PATH_FIELDS[format]!).sort(), checked, format);
    for (const field of checked) assert.equal(fieldKind(["dataset", field], { dataset })?.kind, "path", `${format}.${field}`);
  }
  assert.deepEqual(fieldKind(["dataset", "dir"], { dataset: { format: "cifar10" } }), { kind: "path", target: "folder" });
  assert.deepEqual(fieldKind(["dataset", "trainImages"], {}), { kind: "path", target: "file" }, "no format yet: the field name tells");
  assert.equal(fieldKind(["dataset", "name"], { dataset: { format: "embedded" } }), undefined);
  assert.deepEqual(fieldKind(["init", "checkpoint"], {}), { kind: "checkpoint" });
  assert.deepEqual(fieldKind(["augment", "preset"], {}), { kind: "augmentPreset" });
  assert.equal(fieldKind(["method"], {}), undefined, "the schema's enum completes it");
});

test("fieldInfo reads the TypeBox schema: description, bounds, default, and the paper values for the method", () => {
  const t = fieldInfo(["simclr", "temperature"], parse(simclrText))!;
  assert.equal(t.description, METHOD_SCHEMAS.simclr.properties.temperature.description);
  assert.deepEqual([t.accepts, t.default, t.paper.map((p) => p.value)], ["number in (0, 1]", 0.5, [0.5, 0.1]]);
  // Inside a union: the dataset variant the format names, the op variant the op names.
  assert.match(fieldInfo(["dataset", "train"], { dataset: { format: "folder" } })!.description!, /Training images folder, relative to the experiment file/);
  const p = fieldInfo(["augment", "views", 0, "ops", 1, "p"], parse(simclrText))!;
  assert.deepEqual([p.key, p.default, p.accepts], ["augment.views.ops.p", 0.5, "number in [0, 1]"], "the hflip op's p");
  // train.batchSize: only the selected method's paper.
  assert.deepEqual(fieldInfo(["train", "batchSize"], { method: "moco" })!.paper.map((v) => [v.value, v.method]), [[256, "moco"]]);
  assert.equal(fieldInfo(["model", "backbone"], {})!.accepts, 'one of "resnet18", "convnet", "vit"');
  assert.equal(fieldInfo(["method"], {})!.accepts, `one of ${METHODS.length} names`, "the methods are the description's to list");
  assert.equal(fieldInfo(["nonsense"], {}), undefined);
  // Every paper value names a field the schema has.
  for (const key of Object.keys(PAPER_VALUES)) assert.ok(fieldInfo(key.split("."), {}), key);
});
