// The experiment file: defaults, and every problem named by field and line.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseExperiment, loadExperiment, ConfigError } from "../../src/core/config/load";
import { editorJsonSchema } from "../../src/core/config/editorSchema";

const embedded = '"dataset": { "format": "embedded", "name": "fashion-mnist-5k" }';

test("comments are allowed and every default is filled in", () => {
  const { config, issues } = parseExperiment(`// a comment\n{\n  ${embedded}, // trailing\n}\n`, "x.ssl.json");
  assert.deepEqual(issues, []);
  assert.equal(config!.method, "simclr");
  assert.equal(config!.simclr.temperature, 0.5);
  assert.equal(config!.train.optimizer, "lars");
  assert.deepEqual(config!.augment, {});
  assert.equal(config!.eval.knnK, 20);
});

test("problems name the field and its line", () => {
  const text = `{\n  ${embedded},\n  "train": {\n    "lr": -1,\n    "optimiser": "sgd"\n  },\n  "method": "simclr2"\n}`;
  const { config, issues } = parseExperiment(text, "x.ssl.json");
  assert.equal(config, undefined);
  const byField = new Map(issues.map((i) => [i.field, i]));
  assert.equal(byField.get("train.lr")!.line, 4);
  assert.equal(byField.get("train.optimiser")!.message, 'unknown field "optimiser"');
  assert.equal(byField.get("train.optimiser")!.line, 5);
  assert.match(byField.get("method")!.message, /^must be one of "simclr", "moco", "byol", "simsiam", "barlowtwins", "vicreg", "swav", "dino"/);
  assert.equal(byField.get("method")!.line, 7);
});

test("dataset variants are checked by their format", () => {
  const none = parseExperiment("{}", "x.ssl.json").issues;
  assert.equal(none[0]!.field, "dataset");
  assert.match(none[0]!.message, /is required: .*"format": "embedded"/);
  const wrongFormat = parseExperiment('{ "dataset": { "format": "png" } }', "x.ssl.json").issues;
  assert.equal(wrongFormat[0]!.field, "dataset.format");
  assert.match(wrongFormat[0]!.message, /must be one of "embedded", "folder", "idx", "cifar10"/);
  const missing = parseExperiment('{ "dataset": { "format": "cifar10" } }', "x.ssl.json").issues;
  assert.equal(missing[0]!.field, "dataset.dir");
  const halfIdx = parseExperiment('{ "dataset": { "format": "idx", "trainImages": "a", "testImages": "b" } }', "x.ssl.json", { checkPaths: false }).issues;
  assert.equal(halfIdx[0]!.field, "dataset.testImages");
  assert.match(halfIdx[0]!.message, /needs dataset\.testLabels too/);
});

test("missing dataset paths are reported relative to the experiment file; invalid JSON by line", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-config-"));
  const file = path.join(dir, "exp.ssl.json");
  fs.writeFileSync(file, '{\n  "dataset": { "format": "folder", "train": "images" }\n}');
  assert.throws(() => loadExperiment(file), (e: unknown) => e instanceof ConfigError && /exp\.ssl\.json:2: field "dataset\.train": path does not exist: .*images/.test(e.message));
  fs.mkdirSync(path.join(dir, "images"));
  assert.equal(loadExperiment(file).runsDir, path.join(dir, "runs", "exp"));
  fs.writeFileSync(file, '{\n  "seed": 1,\n  "method" "simclr"\n}');
  assert.throws(() => loadExperiment(file), /exp\.ssl\.json:3: invalid JSON: ColonExpected/);
});

test("the editor schema requires only fields without a default", () => {
  const schema = editorJsonSchema() as { required?: string[]; properties: Record<string, { required?: string[] }> };
  assert.deepEqual(schema.required, ["dataset"]);
  assert.equal(schema.properties.train!.required, undefined);
  assert.ok(JSON.stringify(schema).includes("Chen et al. 2020"));
});

test("a recipe fills its published values under the file's own", () => {
  const { config, issues } = parseExperiment(`{ ${embedded}, "recipe": "mocov2-cifar-hpt", "train": { "epochs": 5 }, "moco": { "queueSize": 4096 } }`, "x.ssl.json");
  assert.deepEqual(issues, []);
  assert.equal(config!.method, "moco");
  assert.deepEqual([config!.train.batchSize, config!.train.lr, config!.train.optimizer, config!.moco.momentum, config!.moco.temperature], [512, 0.4, "sgd", 0.999, 0.2]);
  assert.equal(config!.moco.queueSize, 4096, "the file overrides the recipe");
  assert.equal(config!.train.epochs, 5);
  assert.equal(config!.model.backbone, "resnet18");
  const unknown = parseExperiment(`{ ${embedded}, "recipe": "moco-imagenet" }`, "x.ssl.json");
  assert.match(unknown.issues.find((i) => i.field === "recipe")!.message, /must be "mocov2-cifar-hpt"/);
});
