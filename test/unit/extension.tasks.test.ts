// Tasks of type "ssl": the CLI arguments each runs, tasks.json checks, and the
// "$ssl" problem matcher against the CLI's real config-error line.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseExperiment } from "../../src/core/config/load";
import { SSL_TASK_COMMANDS, cliArgs, definitionProblem, taskName } from "../../src/extension/tasks/taskDefinition";

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));

test("each task command runs the matching ssl-studio command on its file, extra args last", () => {
  assert.deepEqual(cliArgs({ type: "ssl", command: "pretrain", file: "a.ssl.json", args: ["--backend", "wasm"] }), ["pretrain", "a.ssl.json", "--backend", "wasm"]);
  assert.deepEqual(cliArgs({ type: "ssl", command: "cache-build", file: "a.ssl.json" }), ["cache", "build", "a.ssl.json"]);
  assert.deepEqual(cliArgs({ type: "ssl", command: "eval", file: "runs/a/1" }), ["eval", "runs/a/1"]);
  assert.equal(taskName({ type: "ssl", command: "cache-build", file: "x/a.ssl.json" }), "cache-build x/a.ssl.json");
});

test("tasks.json definitions are checked: command, file, args", () => {
  assert.equal(definitionProblem({ type: "ssl", command: "pretrain", file: "a.ssl.json" }), undefined);
  assert.match(definitionProblem({ type: "ssl", command: "train", file: "a" })!, /"command" must be one of pretrain, cache-build, eval/);
  assert.match(definitionProblem({ type: "ssl", command: "eval" })!, /"file" must name a checkpoint or run folder/);
  assert.match(definitionProblem({ type: "ssl", command: "pretrain", file: "a", args: [1] })!, /"args" must be a list of strings/);
});

test("package.json declares the task type with the same commands, and $ssl matches the CLI's config error", () => {
  const def = pkg.contributes.taskDefinitions.find((d: { type: string }) => d.type === "ssl");
  assert.deepEqual(def.properties.command.enum, [...SSL_TASK_COMMANDS]);
  const matcher = pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === "ssl");
  const { issues } = parseExperiment('{\n  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },\n  "train": { "optimizer": "adamw" }\n}\n', "/w/broken.ssl.json");
  // The line the CLI prints for a config error (src/cli/main.ts).
  const line = `ssl-studio: ${new ConfigError("/w/broken.ssl.json", issues).message}`;
  const m = new RegExp(matcher.pattern.regexp).exec(line);
  assert.ok(m, line);
  assert.equal(m[matcher.pattern.file], "/w/broken.ssl.json");
  assert.equal(m[matcher.pattern.line], "3");
  assert.match(m[matcher.pattern.message], /^field "train\.optimizer": /);
});
