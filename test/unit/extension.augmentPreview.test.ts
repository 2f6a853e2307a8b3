/**
 * The augmentation preview's pure parts: the draft the panel's controls edit,
 * writing it back into an experiment file (comments and layout kept, a
 * preset turned into views), the worker client's latest-only queue and crash
 * handling against real child processes, and the webview's trace and layout
 * helpers.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "jsonc-parser";
import { OP_SCHEMAS, type ViewSpec } from "../../src/core/config/augmentSchema";
import { parseExperiment } from "../../src/core/config/load";
import { policyViews } from "../../src/core/augment/views";
import { editDraft, startDraft, draftDiffers, tidyNumber, type Draft, type OpEdit } from "../../src/extension/augmentPreview/draft";
import { inlineJson, minimalEdit, writeDraft, WriteBackError } from "../../src/extension/augmentPreview/writeBack";
import { PreviewWorkerClient, type RenderReply } from "../../src/extension/augmentPreview/workerClient";
import { previewHtml } from "../../src/extension/augmentPreview/html";
import type { PreviewRequest } from "../../src/protocol/augmentPreview";
import { describeDraw, describeTrace } from "../../webview/augmentPreview/trace";
import { MAGNITUDE_OPS, NO_P_OPS, pngSize, slidersFor, upscale } from "../../webview/augmentPreview/opControls";
import { defaultScale } from "../../src/core/augment/previewGrid";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-augment-preview-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** A config with comments and the one-op-per-line layout of examples/. */
const EXPLICIT = `// An experiment with its own policy.
{
  "method": "simclr",
  "seed": 7,
  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },
  "augment": {
    // Two views of the same recipe.
    "views": [
      {
        "name": "view",
        "count": 2,
        "ops": [
          { "op": "randomResizedCrop", "scale": [0.2, 1] }, // crops of >= 20%
          { "op": "hflip", "p": 0.5 },
          { "op": "rotate", "degrees": [-10, 10] },
          {
            // blur, written long
            "op": "gaussianBlur",
            "p": 0.5
          }
        ]
      }
    ]
  },
  "train": { "epochs": 4 }
}
`;

const PRESET = `{
  "method": "simclr",
  "seed": 1,
  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },
  // The policy: BYOL's asymmetric pair.
  "augment": {
    "preset": "byol" // see the README
  }
}
`;

function viewsOf(text: string): ViewSpec[] {
  return policyViews((parse(text) as { augment?: object }).augment ?? {}, "simclr");
}

function edited(text: string, ...edits: OpEdit[]): Draft {
  let d = startDraft(viewsOf(text));
  for (const e of edits) {
    const r = editDraft(d, e);
    if (!r.ok) throw new Error(r.reason);
    d = r.draft;
  }
  return d;
}

/** The written text must load as an experiment whose views are the draft. */
function assertLoadsAs(text: string, views: ViewSpec[]): void {
  const { config, issues } = parseExperiment(text, path.join(root, "x.ssl.json"), { checkPaths: false });
  assert.deepEqual(issues, []);
  assert.deepEqual(policyViews(config!.augment, "simclr"), views);
}

// ---- the draft ----

test("the toggle switches an op off (p = 0) and back on to its previous p", () => {
  let d = startDraft(viewsOf(EXPLICIT));
  const off = editDraft(d, { view: 0, op: 1, field: "enabled", value: false });
  assert.ok(off.ok);
  d = off.draft;
  assert.equal((d.views[0]!.ops[1] as { p: number }).p, 0);
  const on = editDraft(d, { view: 0, op: 1, field: "enabled", value: true });
  assert.ok(on.ok);
  assert.equal((on.draft.views[0]!.ops[1] as { p: number }).p, 0.5);
  // An op that starts at p = 0 comes on with its schema default.
  const zero = startDraft([{ name: "v", count: 1, ops: [{ op: "solarize", p: 0, threshold: [0.5, 0.5] }] }]);
  const r = editDraft(zero, { view: 0, op: 0, field: "enabled", value: true });
  assert.ok(r.ok);
  assert.equal((r.draft.views[0]!.ops[0] as { p: number }).p, 1);
  // The draft given in is never changed.
  assert.equal((startDraft(viewsOf(EXPLICIT)).views[0]!.ops[1] as { p: number }).p, 0.5);
});

test("p, magnitude and parameters are edited with their bounds; slider noise is tidied", () => {
  const d = edited(EXPLICIT, { view: 0, op: 1, field: "p", value: 0.15000000000000002 }, { view: 0, op: 2, field: "magnitude", value: 12 });
  assert.equal((d.views[0]!.ops[1] as { p: number }).p, 0.15);
  assert.equal((d.views[0]!.ops[2] as { magnitude?: number }).magnitude, 12);
  const cleared = editDraft(d, { view: 0, op: 2, field: "magnitude", value: null });
  assert.ok(cleared.ok);
  assert.equal("magnitude" in cleared.draft.views[0]!.ops[2]!, false);
  assert.equal(tidyNumber(0.1 + 0.2), 0.3);

  const refuse = (e: OpEdit, why: RegExp) => {
    const r = editDraft(d, e);
    assert.equal(r.ok, false, JSON.stringify(e));
    if (!r.ok) assert.match(r.reason, why);
  };
  refuse({ view: 0, op: 1, field: "p", value: 1.5 }, /\[0, 1\]/);
  refuse({ view: 0, op: 2, field: "magnitude", value: 31 }, /\[0, 30\]/);
  refuse({ view: 0, op: 0, field: "enabled", value: false }, /no p/);
  refuse({ view: 0, op: 1, field: "magnitude", value: 3 }, /no field "magnitude"/);
  refuse({ view: 0, op: 1, field: "op", value: "vflip" }, /cannot be changed/);
  refuse({ view: 3, op: 0, field: "p", value: 0 }, /no op/);
  refuse({ view: 0, op: 2, field: "degrees", value: [10, -10] }, /min must not exceed max/);
  const range = editDraft(d, { view: 0, op: 2, field: "degrees", value: [-20, 20] });
  assert.ok(range.ok);
  assert.deepEqual((range.draft.views[0]!.ops[2] as { degrees: number[] }).degrees, [-20, 20]);
  // RandAugment's M is required: it cannot be cleared.
  const ra = startDraft(policyViews({ preset: "randaugment" }, "simclr"));
  const raIndex = ra.views[0]!.ops.findIndex((o) => o.op === "randAugment");
  assert.equal(editDraft(ra, { view: 0, op: raIndex, field: "magnitude", value: null }).ok, false);
  const n = editDraft(ra, { view: 0, op: raIndex, field: "n", value: 3.2 });
  assert.ok(n.ok);
  assert.equal((n.draft.views[0]!.ops[raIndex] as { n: number }).n, 3);
});

test("a draft moved back to the file's values no longer differs", () => {
  const views = viewsOf(EXPLICIT);
  const d = edited(EXPLICIT, { view: 0, op: 1, field: "p", value: 0.3 });
  assert.ok(draftDiffers(d, views));
  const back = editDraft(d, { view: 0, op: 1, field: "p", value: 0.5 });
  assert.ok(back.ok && !draftDiffers(back.draft, views));
});

// ---- writing the draft back ----

test("explicit views: a changed value is replaced in place, comments and layout kept", () => {
  const d = edited(EXPLICIT, { view: 0, op: 1, field: "enabled", value: false });
  const w = writeDraft(EXPLICIT, d.views);
  assert.equal(w.kind, "fields");
  assert.equal(w.text, EXPLICIT.replace('{ "op": "hflip", "p": 0.5 }', '{ "op": "hflip", "p": 0 }'));
  // The smallest edit: 0.5 → 0 deletes ".5".
  assert.deepEqual(w.edits, [{ offset: EXPLICIT.indexOf('"p": 0.5 }') + 6, length: 2, content: "" }]);
  assertLoadsAs(w.text, d.views);
});

test("explicit views: a new field stays on the op's line; a long op gets its own line for it", () => {
  const d = edited(
    EXPLICIT,
    { view: 0, op: 2, field: "magnitude", value: 9 },
    { view: 0, op: 3, field: "p", value: 0.25 },
    { view: 0, op: 0, field: "scale", value: [0.3, 1] },
  );
  const w = writeDraft(EXPLICIT, d.views);
  assert.equal(w.kind, "fields");
  assert.ok(w.text.includes('{ "op": "rotate", "degrees": [-10, 10], "magnitude": 9 },'), w.text);
  assert.ok(w.text.includes('{ "op": "randomResizedCrop", "scale": [0.3, 1] }, // crops of >= 20%'), w.text);
  assert.ok(w.text.includes('            // blur, written long\n            "op": "gaussianBlur",\n            "p": 0.25\n'), w.text);
  for (const comment of ["// An experiment with its own policy.", "// Two views of the same recipe.", "// crops of >= 20%", "// blur, written long"]) {
    assert.ok(w.text.includes(comment), comment);
  }
  // Defaults the file left out (rotate's interpolation and fill) stay out.
  assert.ok(!w.text.includes("interpolation"));
  assertLoadsAs(w.text, d.views);
  // One edit that turns the old text into the new one.
  const e = w.edits[0]!;
  assert.equal(EXPLICIT.slice(0, e.offset) + e.content + EXPLICIT.slice(e.offset + e.length), w.text);

  // Clearing the magnitude again removes the field.
  const back = editDraft(d, { view: 0, op: 2, field: "magnitude", value: null });
  assert.ok(back.ok);
  const w2 = writeDraft(w.text, back.draft.views);
  assert.ok(w2.text.includes('{ "op": "rotate", "degrees": [-10, 10] },'), w2.text);
  assertLoadsAs(w2.text, back.draft.views);
});

test("a preset becomes explicit views in its place, written in the preset's own terms", () => {
  const views = viewsOf(PRESET);
  const solarize = views[1]!.ops.findIndex((o) => o.op === "solarize");
  const d = edited(PRESET, { view: 1, op: solarize, field: "p", value: 0.5 }, { view: 0, op: 1, field: "enabled", value: false });
  const w = writeDraft(PRESET, d.views);
  assert.equal(w.kind, "views");
  assert.ok(!w.text.includes('"preset"'), "the preset is gone");
  assert.ok(w.text.includes("// The policy: BYOL's asymmetric pair."));
  assert.ok(w.text.includes("] // see the README"), w.text);
  assert.ok(w.text.includes('    "views": [\n      {\n        "name": "view1",\n        "count": 1,\n        "ops": [\n          { "op": "randomResizedCrop", "scale": [0.08, 1] },\n          { "op": "hflip", "p": 0 },'), w.text);
  assert.ok(w.text.includes('{ "op": "solarize", "p": 0.5, "threshold": [0.5, 0.5] }'), w.text);
  // Only the preset's own fields: no filled-in defaults.
  assert.ok(!/interpolation|kernelSize|"fill"/.test(w.text));
  assertLoadsAs(w.text, d.views);
});

test("no policy at all (simclr by default), a one-line augment, CRLF and tabs", () => {
  const bare = `{\n\t"method": "simclr",\n\t"dataset": { "format": "embedded", "name": "fashion-mnist-5k" }\n}\n`;
  const d = edited(bare, { view: 0, op: 3, field: "enabled", value: false });
  const w = writeDraft(bare, d.views, { insertSpaces: false, tabSize: 4 });
  assert.equal(w.kind, "views");
  assert.ok(w.text.includes('\t"augment": {\n\t\t"views": [\n\t\t\t{\n\t\t\t\t"name": "view",'), w.text);
  assert.ok(w.text.includes('{ "op": "grayscale", "p": 0 }'));
  assertLoadsAs(w.text, d.views);

  const oneLine = `{\r\n  "method": "simclr",\r\n  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },\r\n  "augment": { "preset": "mocov2" }\r\n}\r\n`;
  const d2 = edited(oneLine, { view: 0, op: 3, field: "p", value: 1 });
  const w2 = writeDraft(oneLine, d2.views);
  assert.ok(!w2.text.replace(/\r\n/g, "").includes("\n"), "CRLF kept throughout");
  assert.ok(w2.text.includes('{ "op": "gaussianBlur", "p": 1, "sigma": [0.1, 2] }'), w2.text);
  assertLoadsAs(w2.text, d2.views);
});

test("a draft of another shape than the file replaces the views, defaults left out", () => {
  const d = edited(EXPLICIT, { view: 0, op: 1, field: "p", value: 0.2 });
  // The file lost an op meanwhile.
  const changed = EXPLICIT.replace('          { "op": "hflip", "p": 0.5 },\n', "");
  const w = writeDraft(changed, d.views);
  assert.equal(w.kind, "views");
  assert.ok(w.text.includes('{ "op": "rotate", "p": 1, "degrees": [-10, 10] }'), w.text);
  assert.ok(w.text.includes("// Two views of the same recipe."));
  assertLoadsAs(w.text, d.views);
});

test("nothing to write, and files that cannot take the draft", () => {
  assert.deepEqual(writeDraft(EXPLICIT, viewsOf(EXPLICIT)), { text: EXPLICIT, edits: [], kind: "none" });
  assert.throws(() => writeDraft("{ broken", viewsOf(EXPLICIT)), WriteBackError);
  assert.throws(() => writeDraft('{ "augment": 3 }', viewsOf(EXPLICIT)), WriteBackError);
  assert.equal(inlineJson({ op: "hflip", p: 0.5, r: [1, 2], o: {} }), '{ "op": "hflip", "p": 0.5, "r": [1, 2], "o": {} }');
  assert.deepEqual(minimalEdit("abcdef", "abXYef"), { offset: 2, length: 2, content: "XY" });
  assert.equal(minimalEdit("same", "same"), undefined);
  assert.deepEqual(minimalEdit("aaa", "aaaa"), { offset: 3, length: 0, content: "a" });
});

// ---- the worker client ----

/** A fake worker: answers after `delay` ms; seed 666 crashes it; seed 777 never answers. */
function fakeWorker(): string {
  const file = path.join(root, "worker.js");
  fs.writeFileSync(
    file,
    `process.send({ type: "ready", backend: "fake" });
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => {
  const r = m.request;
  if (r.seed === 666) { console.error("Error: boom"); process.exit(3); }
  if (r.seed === 777) return;
  if (r.count === 0) return setTimeout(() => process.send({ type: "invalid", id: r.id, issues: [{ field: "seed", line: 2, message: "bad" }] }), 10);
  setTimeout(() => process.send({ type: "rendered", result: { id: r.id, images: [], views: [], backend: "fake:" + process.pid, milliseconds: 1 } }), 60);
});
`,
  );
  return file;
}

const request = (id: number, seed = 1, count = 1): PreviewRequest => ({ id, experimentFile: path.join(root, "x.ssl.json"), configText: "{}", seed, count, epoch: 0 });

test("worker client: one request at a time, only each panel's latest; a crash fails the request and the next one restarts it", async () => {
  const lines: string[] = [];
  const client = new PreviewWorkerClient({ script: fakeWorker(), cwd: root, idleMs: 300, log: (l) => lines.push(l) });
  try {
    const first = client.render("a", request(1));
    const second = client.render("a", request(2)); // waiting while 1 renders
    const third = client.render("a", request(3)); // replaces 2
    const other = client.render("b", request(4)); // another panel's: not replaced
    const [r1, r2, r3, r4] = await Promise.all([first, second, third, other]);
    assert.equal(r1.type, "rendered");
    assert.deepEqual(r2, { type: "superseded", id: 2 });
    assert.equal(r3.type === "rendered" && r3.result.id, 3);
    assert.equal(r4.type === "rendered" && r4.result.id, 4);
    assert.equal(client.starts, 1);
    assert.equal(client.backend, "fake");
    const pid = client.pid;

    const invalid = await client.render("a", request(5, 1, 0));
    assert.deepEqual(invalid, { type: "invalid", id: 5, issues: [{ field: "seed", line: 2, message: "bad" }] });

    const crashed = (await client.render("a", request(6, 666))) as Extract<RenderReply, { type: "failed" }>;
    assert.equal(crashed.type, "failed");
    assert.match(crashed.error, /preview worker stopped: it exited with code 3: Error: boom/);
    const again = await client.render("a", request(7));
    assert.equal(again.type, "rendered");
    assert.equal(client.starts, 2);
    assert.notEqual(client.pid, pid);

    // Idle: stopped after idleMs, started again on demand.
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(client.running, false);
    assert.ok(lines.some((l) => /idle/.test(l)));
    assert.equal((await client.render("a", request(8))).type, "rendered");
    assert.equal(client.starts, 3);
  } finally {
    client.dispose();
  }
  assert.equal(client.running, false);
  assert.equal((await client.render("a", request(9))).type, "failed", "a disposed client renders nothing");
});

test("worker client: a render that never answers times out, and closing a panel drops its waiting request", async () => {
  const client = new PreviewWorkerClient({ script: fakeWorker(), cwd: root, renderTimeoutMs: 300 });
  try {
    const hung = client.render("a", request(1, 777));
    const waiting = client.render("b", request(2));
    client.forget("b");
    const r = (await hung) as Extract<RenderReply, { type: "failed" }>;
    assert.equal(r.type, "failed");
    assert.match(r.error, /did not answer within 0.3 s/);
    assert.deepEqual(await waiting, { type: "superseded", id: 2 });
    assert.equal((await client.render("a", request(3))).type, "rendered");
  } finally {
    client.dispose();
  }
});

test("worker client: a missing script is a failed render, not a throw", async () => {
  const client = new PreviewWorkerClient({ script: path.join(root, "no-such-worker.js"), cwd: root });
  try {
    const r = (await client.render("a", request(1))) as Extract<RenderReply, { type: "failed" }>;
    assert.equal(r.type, "failed");
    assert.match(r.error, /preview worker stopped/);
  } finally {
    client.dispose();
  }
});

// ---- the page and the webview's helpers ----

test("the panel's page has a nonce CSP: no inline or remote scripts, images only as data: URIs", () => {
  const html = previewHtml({ cspSource: "vscode-resource:", scriptUri: "vscode-resource:/dist/webview/augmentPreview.js", styleUri: "vscode-resource:/x.css", title: "A <b>", nonce: "abc123" });
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
  assert.match(csp, /img-src data:(;|$)/);
  assert.ok(!csp.includes("unsafe"));
  assert.ok(html.includes('<script nonce="abc123" src="vscode-resource:/dist/webview/augmentPreview.js">'));
  assert.ok(html.includes("A &#60;b&#62;"));
});

test("the hover's trace names each op with its drawn parameters", () => {
  assert.equal(describeDraw({ op: "rotate", degrees: 12.34 }), "rotate 12.3°");
  assert.equal(describeDraw({ op: "solarize", threshold: 0.5 }), "solarize ≥ 0.50");
  assert.equal(describeDraw({ op: "randomResizedCrop", top: 1, left: 2, height: 10, width: 12, fallback: false }), "crop 12×10 at (2, 1)");
  assert.equal(describeDraw({ op: "translateX", pixels: -3 }), "translateX −3 px");
  assert.equal(
    describeDraw({ op: "colorJitter", order: ["hue", "brightness", "contrast", "saturation"], brightness: 1.1, contrast: 0.9, saturation: 1.25, hue: -0.05 }),
    "colorJitter hue −0.05, brightness ×1.10, contrast ×0.90, saturation ×1.25",
  );
  assert.equal(describeDraw({ op: "randAugment", magnitude: 9, ops: [{ op: "posterize", bits: 4 }, { op: "hflip" }] }), "randAugment M 9.0: posterize 4 bits, hflip");
  assert.deepEqual(describeTrace([]), ["no op fired"]);
});

test("the panel's controls follow the schema: p where an op has one, magnitude where it has one", () => {
  for (const schema of OP_SCHEMAS) {
    const name = schema.properties.op.const as string;
    const props = schema.properties as Record<string, unknown>;
    assert.equal(MAGNITUDE_OPS.has(name), "magnitude" in props, `${name}: magnitude`);
    assert.equal(!NO_P_OPS.has(name), "p" in props, `${name}: p`);
    for (const s of slidersFor(name as never)) assert.ok(s.field in props, `${name}.${s.field}`);
  }
});

test("tiles are laid out at the CLI grid's scale; PNG sizes come from the header", () => {
  for (const side of [4, 16, 28, 32, 96, 97, 224]) assert.equal(upscale(side), defaultScale(side));
  // A 3x2 PNG's signature and IHDR.
  const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000030000000208020000000000", "hex").toString("base64");
  assert.deepEqual(pngSize(png), { width: 3, height: 2 });
});
