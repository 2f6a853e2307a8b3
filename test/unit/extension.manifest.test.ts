/**
 * The extension's contributions (package.json) against its code, and the
 * promise that activation never loads TensorFlow.js or sharp.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";

const repo = path.resolve(__dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const c = pkg.contributes;
const declared = new Set<string>(c.commands.map((x: { command: string }) => x.command));

test("every command the code registers is declared in package.json, and the other way round", () => {
  const src = fs.readFileSync(path.join(repo, "src/extension/commands/register.ts"), "utf8");
  const registered = new Set([...src.matchAll(/"(ssl\.[A-Za-z]+)":/g)].map((m) => m[1]!));
  assert.deepEqual([...registered].sort(), [...declared].sort());
  for (const cmd of c.commands) assert.equal(cmd.category, "SSL", cmd.command);
  const titles = Object.fromEntries(c.commands.map((x: { command: string; title: string }) => [x.command, x.title]));
  assert.deepEqual(
    [titles["ssl.pretrain"], titles["ssl.stopRun"], titles["ssl.newExperiment"], titles["ssl.openRunFolder"], titles["ssl.checkEnvironment"], titles["ssl.refresh"]],
    ["Pretrain", "Stop Run", "New Experiment", "Open Run Folder", "Check Environment", "Refresh"],
  );
});

test("menus and welcome links only use declared commands and the tree's context values", () => {
  for (const [menu, items] of Object.entries(c.menus as Record<string, { command: string; when?: string }[]>)) {
    for (const item of items) assert.ok(declared.has(item.command), `${menu}: ${item.command}`);
  }
  for (const w of c.viewsWelcome) for (const m of w.contents.matchAll(/command:([\w.]+)/g)) assert.ok(declared.has(m[1]!), m[1]);
  // contextValues the tree sets (runsTree.ts): experiment, experiment.running, run.<state>[.resumable], checkpoint.
  const itemMenus: { command: string; when: string }[] = c.menus["view/item/context"];
  const matches = (when: string, value: string) => {
    const eq = when.match(/viewItem == ([\w.]+)/);
    if (eq) return eq[1] === value;
    const re = when.match(/viewItem =~ \/(.+)\//);
    return re ? new RegExp(re[1]!).test(value) : false;
  };
  const inline = (value: string) => itemMenus.filter((m) => (m as { group?: string }).group?.startsWith("inline") && matches(m.when, value)).map((m) => m.command);
  assert.deepEqual(inline("experiment"), ["ssl.pretrain", "ssl.showLossCurves"]);
  assert.deepEqual(inline("experiment.running"), ["ssl.stopRun", "ssl.showLossCurves"]);
  assert.deepEqual(inline("run.running"), ["ssl.stopRun", "ssl.openRunFolder", "ssl.browseCheckpoints", "ssl.showLossCurves"]);
  assert.deepEqual(inline("run.finished"), ["ssl.openRunFolder", "ssl.browseCheckpoints", "ssl.showLossCurves"]);
  assert.deepEqual(inline("run.stopped.resumable"), ["ssl.resumeRun", "ssl.openRunFolder", "ssl.browseCheckpoints", "ssl.showLossCurves"]);
  assert.deepEqual(inline("run.interrupted.resumable"), ["ssl.resumeRun", "ssl.openRunFolder", "ssl.browseCheckpoints", "ssl.showLossCurves"]);
  assert.deepEqual(inline("run.failed"), ["ssl.openRunFolder", "ssl.browseCheckpoints", "ssl.showLossCurves"]);
  assert.deepEqual(inline("checkpoint"), ["ssl.openRunFolder"]);
});

test("activation, schema, language and view contributions", () => {
  assert.equal(pkg.main, "./dist/extension.js");
  assert.ok(pkg.activationEvents.includes("workspaceContains:**/*.ssl.json"));
  assert.deepEqual(c.jsonValidation, [{ fileMatch: "*.ssl.json", url: "./dist/experiment.schema.json" }]);
  assert.deepEqual(c.languages, [{ id: "jsonc", filenamePatterns: ["*.ssl.json"] }]);
  const container = c.viewsContainers.activitybar[0];
  assert.equal(container.title, "SSL Experiments");
  assert.ok(fs.existsSync(path.join(repo, container.icon)), container.icon);
  assert.ok(c.views[container.id].some((v: { id: string }) => v.id === "ssl.experiments"));
  // The marketplace icon must be a PNG (vsce rejects SVG icons), 128x128.
  const png = fs.readFileSync(path.join(repo, pkg.icon));
  assert.equal(png.subarray(1, 4).toString(), "PNG");
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
});

test("the extension bundle does not import TensorFlow.js or sharp", async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(repo, "src/extension/extension.ts")],
    bundle: true,
    platform: "node",
    format: "cjs",
    external: ["vscode", "@tensorflow/*", "sharp"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes("src/extension/extension.ts")));
  assert.deepEqual(inputs.filter((i) => /@tensorflow|sharp|src[\\/](trainer|core[\\/](backend|models|methods|losses|data))/.test(i)), []);
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  assert.deepEqual(imports.filter((p) => !p.startsWith("node:") && !["vscode", "fs", "path", "child_process", "os"].includes(p)), []);
});
