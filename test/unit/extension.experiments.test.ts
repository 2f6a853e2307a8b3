import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chooseExperimentFile, describeExperiment, isExperimentFile } from "../../src/extension/experiments";
import { experimentFileName, experimentTemplate, validateExperimentName } from "../../src/extension/templates/experiment";
import { revealStrategy, isInside } from "../../src/extension/reveal";
import { parseExperiment, loadExperiment } from "../../src/core/config/load";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-exp-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test("the active experiment wins, a single one needs no question, several are picked", () => {
  assert.deepEqual(chooseExperimentFile("/w/a.ssl.json", ["/w/b.ssl.json", "/w/c.ssl.json"]), { kind: "use", file: "/w/a.ssl.json" });
  assert.deepEqual(chooseExperimentFile("/w/notes.md", ["/w/b.ssl.json"]), { kind: "use", file: "/w/b.ssl.json" });
  assert.deepEqual(chooseExperimentFile(undefined, ["/w/c.ssl.json", "/w/b.ssl.json", "/w/c.ssl.json", "/w/x.json"]), {
    kind: "pick",
    files: ["/w/b.ssl.json", "/w/c.ssl.json"],
  });
  assert.deepEqual(chooseExperimentFile("/w/notes.md", []), { kind: "none" });
  assert.equal(isExperimentFile("/w/A.SSL.JSON"), true);
  assert.equal(isExperimentFile("/w/a.json"), false);
  assert.equal(isExperimentFile(undefined), false);
});

test("the starter template is valid JSONC for the schema, with comments, the embedded data and a small model", () => {
  const text = experimentTemplate("my-exp");
  assert.match(text, /^\/\//m, "has comments");
  assert.doesNotMatch(text, /"\$schema"/);
  const { config, issues } = parseExperiment(text, path.join(root, "my-exp.ssl.json"));
  assert.deepEqual(issues, []);
  assert.equal(config!.method, "simclr");
  assert.deepEqual(config!.dataset, { format: "embedded", name: "fashion-mnist-5k" });
  assert.equal(config!.model.backbone, "convnet");
  assert.ok(config!.train.epochs <= 10, "a few epochs");
  assert.equal(config!.name, undefined, "the name follows the file name");
});

test("experiment names become safe file names", () => {
  assert.equal(experimentFileName(" simclr-a "), "simclr-a.ssl.json");
  assert.equal(experimentFileName("simclr-a.ssl.json"), "simclr-a.ssl.json");
  assert.equal(validateExperimentName("simclr_a.v2"), undefined);
  assert.equal(validateExperimentName("x.ssl.json"), undefined);
  for (const bad of ["", "  ", "../evil", "a/b", "a b", "-flag", ".hidden", ".ssl.json", "x".repeat(101)]) {
    assert.ok(validateExperimentName(bad), JSON.stringify(bad));
  }
});

test("describeExperiment: valid files give loadExperiment's name and runs folder", () => {
  const file = path.join(root, "valid.ssl.json");
  fs.writeFileSync(file, experimentTemplate("valid"));
  const info = describeExperiment(file);
  assert.equal(info.problem, undefined);
  assert.equal(info.name, "valid");
  assert.equal(info.runsDir, loadExperiment(file).runsDir);
  assert.equal(info.runsDir, path.join(root, "runs", "valid"));

  const named = path.join(root, "named.ssl.json");
  fs.writeFileSync(named, '{ "name": "other", "runsDir": "out" }');
  assert.equal(describeExperiment(named).runsDir, path.join(root, "out", "other"));
});

test("describeExperiment: a broken config still finds its runs, and says what is wrong", () => {
  const file = path.join(root, "broken.ssl.json");
  fs.writeFileSync(file, '// comment\n{\n  "name": "kept",\n  "runsDir": "elsewhere",\n  "train": { "epochz": 3 }\n}\n');
  const info = describeExperiment(file);
  assert.equal(info.name, "kept");
  assert.equal(info.runsDir, path.join(root, "elsewhere", "kept"));
  assert.equal(info.problem?.field, "train.epochz");
  assert.equal(info.problem?.line, 5);
  assert.match(info.problem!.message, /broken\.ssl\.json:5/);

  const garbage = path.join(root, "garbage.ssl.json");
  fs.writeFileSync(garbage, '{ "name": "half", "runsD');
  const g = describeExperiment(garbage);
  assert.ok(g.problem);
  assert.equal(g.runsDir, path.join(root, "runs", "half"), "what parses of a half-written file is still used");

  const binary = path.join(root, "binary.ssl.json");
  fs.writeFileSync(binary, Buffer.from([0, 255, 1, 2]));
  assert.equal(describeExperiment(binary).name, "binary");

  const missing = describeExperiment(path.join(root, "gone.ssl.json"));
  assert.match(missing.problem!.message, /cannot read/);
  assert.equal(missing.runsDir, path.join(root, "runs", "gone"));
});

test("run folders open in the OS locally, in the explorer remotely or in a browser UI", () => {
  const ws = ["/home/u/proj"];
  assert.equal(revealStrategy({ isWebUi: false, workspaceFolders: ws, target: "/home/u/proj/runs/a/1" }), "os");
  assert.equal(revealStrategy({ remoteName: "ssh-remote", isWebUi: false, workspaceFolders: ws, target: "/home/u/proj/runs/a/1" }), "explorer");
  assert.equal(revealStrategy({ isWebUi: true, workspaceFolders: ws, target: "/home/u/proj/runs/a/1" }), "explorer");
  assert.equal(revealStrategy({ isWebUi: true, workspaceFolders: ws, target: "/tmp/runs/a/1" }), "newWindow");
  assert.equal(isInside("/home/u/proj", "/home/u/project2"), false);
  assert.equal(isInside("/home/u/proj", "/home/u/proj"), true);
});
