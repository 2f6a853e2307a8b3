// Checking a preview request's config and draft views: the rules `pretrain` applies, lines in the user's file.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { PreviewRequest } from "../../src/protocol/augmentPreview";
import { requestProblem, resolvePreviewConfig } from "../../src/trainer/previewRequest";

const FILE = path.resolve("/tmp/nowhere/exp.ssl.json");
const TEXT = `// comment
{
  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },
  "augment": {
    "views": [
      { "count": 2, "ops": [
        { "op": "randomResizedCrop" },
        { "op": "hflip", "p": 0.5 }
      ] }
    ]
  },
}
`;
const request = (over: Partial<PreviewRequest> = {}): PreviewRequest => ({ id: 1, experimentFile: FILE, configText: TEXT, seed: 0, count: 8, epoch: 0, ...over });
const lineOf = (needle: string, text = TEXT) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

test("a valid file (comments, trailing commas) resolves with defaults filled", () => {
  const r = resolvePreviewConfig(request());
  assert.ok("config" in r);
  assert.equal(r.config.augment.views![0]!.ops[1]!.op, "hflip");
});

test("a draft's problems name the draft's field and the line of that field in the file", () => {
  const views = [{ count: 2, ops: [{ op: "randomResizedCrop" }, { op: "hflip", p: 3 }] }] as never;
  const r = resolvePreviewConfig(request({ views }));
  assert.ok("issues" in r);
  assert.deepEqual(r.issues.map((i) => i.field), ["augment.views.0.ops.1.p"]);
  assert.equal(r.issues[0]!.line, lineOf('"p": 0.5'));
  // A field the file does not have: the nearest one it has.
  const deeper = [{ count: 2, ops: [{ op: "randomResizedCrop" }, { op: "hflip" }, { op: "rotate", degrees: [5, 1] }] }] as never;
  const d = resolvePreviewConfig(request({ views: deeper }));
  assert.ok("issues" in d);
  assert.deepEqual(d.issues.map((i) => i.field), ["augment.views.0.ops.2.degrees"]);
  assert.equal(d.issues[0]!.line, lineOf('"ops": ['));
});

test("a draft replaces a broken policy in the file; other problems still stop it", () => {
  const broken = TEXT.replace('"p": 0.5', '"p": 9');
  assert.ok("issues" in resolvePreviewConfig(request({ configText: broken })));
  const draft = [{ count: 2, ops: [{ op: "randomResizedCrop" }] }] as never;
  const r = resolvePreviewConfig(request({ configText: broken, views: draft }));
  assert.ok("config" in r, JSON.stringify(r));
  assert.equal(r.config.augment.views![0]!.ops.length, 1);
  const noData = resolvePreviewConfig(request({ configText: TEXT.replace('"fashion-mnist-5k"', '"nope"'), views: draft }));
  assert.ok("issues" in noData);
  assert.equal(noData.issues[0]!.field, "dataset.name");
  const syntax = resolvePreviewConfig(request({ configText: "{ oops", views: draft }));
  assert.ok("issues" in syntax);
  assert.equal(syntax.issues[0]!.field, "");
});

test("dataset paths are checked, relative to the experiment file", () => {
  const text = `{ "dataset": { "format": "folder", "train": "imgs" } }`;
  const r = resolvePreviewConfig(request({ configText: text }));
  assert.ok("issues" in r);
  assert.equal(r.issues[0]!.field, "dataset.train");
  assert.match(r.issues[0]!.message, new RegExp(`path does not exist: ${path.join(path.dirname(FILE), "imgs").replace(/[/\\]/g, ".")}`));
});

test("request fields the host sets are checked", () => {
  assert.equal(requestProblem(request()), undefined);
  assert.match(requestProblem(request({ count: 0 }))!, /count/);
  assert.match(requestProblem(request({ seed: 1.5 }))!, /seed/);
  assert.match(requestProblem(request({ epoch: -1 }))!, /epoch/);
  assert.match(requestProblem(request({ experimentFile: "rel.ssl.json" }))!, /absolute/);
});
