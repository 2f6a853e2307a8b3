// dist/previewWorker.js driven over IPC as the extension drives it: ready,
// renders, invalid configs and drafts, bad requests, superseded requests, and
// exit when the editor goes away.
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import sharp from "sharp";
import type { HostToPreviewWorker, PreviewRequest, PreviewWorkerToHost } from "../../src/protocol/augmentPreview";
import { tempDir } from "./cliRun";

const WORKER = path.resolve(__dirname, "../../dist/previewWorker.js");
const EXAMPLE = path.resolve(__dirname, "../../examples/fashion-mnist-simclr.ssl.json");
const skip = !fs.existsSync(WORKER) && "dist/previewWorker.js not built";

class Worker {
  readonly child: ChildProcess;
  readonly messages: PreviewWorkerToHost[] = [];
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;
  stderr = "";

  constructor(args: string[] = []) {
    this.child = fork(WORKER, args, { stdio: ["ignore", "pipe", "pipe", "ipc"] });
    this.child.stderr!.on("data", (d) => (this.stderr += d));
    this.child.on("message", (m: PreviewWorkerToHost) => {
      this.messages.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  send(message: HostToPreviewWorker): void {
    this.child.send(message);
  }

  /** The first message (from `from` on) that matches. */
  async next<T extends PreviewWorkerToHost>(match: (m: PreviewWorkerToHost) => m is T, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(this.messages).slice(0, 500)}; stderr ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  reply(id: number): Promise<Exclude<PreviewWorkerToHost, { type: "ready" }>> {
    return this.next((m): m is Exclude<PreviewWorkerToHost, { type: "ready" }> => m.type !== "ready" && (m.type === "rendered" ? m.result.id === id : m.id === id));
  }
}

const workers: Worker[] = [];
after(() => workers.forEach((w) => w.child.kill()));

function request(id: number, overrides: Partial<PreviewRequest> = {}): PreviewRequest {
  return { id, experimentFile: EXAMPLE, configText: fs.readFileSync(EXAMPLE, "utf8"), seed: 0, count: 8, epoch: 0, ...overrides };
}

test("the preview worker: ready, render, invalid config, invalid draft, bad request, exit on disconnect", { skip, timeout: 120_000 }, async (t) => {
  const started = Date.now();
  const worker = new Worker(["--backend", "wasm"]);
  workers.push(worker);
  const ready = await worker.next((m): m is Extract<PreviewWorkerToHost, { type: "ready" }> => m.type === "ready");
  assert.equal(ready.backend, "wasm");
  t.diagnostic(`start → ready: ${Date.now() - started} ms`);

  // The example: 8 images, two views each.
  const sent = Date.now();
  worker.send({ type: "render", request: request(1) });
  const first = await worker.reply(1);
  assert.equal(first.type, "rendered", JSON.stringify(first));
  if (first.type !== "rendered") return;
  t.diagnostic(`render of 8 images: ${first.result.milliseconds} ms in the worker, ${Date.now() - sent} ms round trip (first render: loads the dataset)`);
  const { result } = first;
  assert.equal(result.backend, "wasm");
  assert.equal(result.images.length, 8);
  assert.deepEqual(result.views.map((v) => [v.name, v.count]), [["view", 2]]);
  assert.ok(result.images.every((img, i) => i === 0 || img.index > result.images[i - 1]!.index), "ascending indices");
  for (const img of result.images) {
    assert.deepEqual(img.views.map((v) => v.label), ["view 1", "view 2"]);
    const original = await sharp(Buffer.from(img.original, "base64")).metadata();
    assert.deepEqual([original.width, original.height, original.channels], [28, 28, 1]);
    for (const v of img.views) {
      const meta = await sharp(Buffer.from(v.png, "base64")).metadata();
      assert.deepEqual([meta.width, meta.height], [28, 28]);
      assert.equal(v.trace[0]!.op, "randomResizedCrop");
    }
  }

  // Same request again: the dataset is cached, the pixels identical.
  const again = Date.now();
  worker.send({ type: "render", request: request(2) });
  const second = await worker.reply(2);
  assert.equal(second.type, "rendered");
  if (second.type === "rendered") {
    t.diagnostic(`render of 8 images, dataset cached: ${second.result.milliseconds} ms in the worker, ${Date.now() - again} ms round trip`);
    assert.deepEqual(second.result.images, result.images);
  }

  // A broken config: the field and its line in the file.
  const text = fs.readFileSync(EXAMPLE, "utf8").replace('"batchSize": 256', '"batchSize": -3');
  worker.send({ type: "render", request: request(3, { configText: text }) });
  const invalid = await worker.reply(3);
  assert.equal(invalid.type, "invalid", JSON.stringify(invalid));
  if (invalid.type === "invalid") {
    assert.equal(invalid.issues[0]!.field, "train.batchSize");
    assert.equal(invalid.issues[0]!.line, text.split("\n").findIndex((l) => l.includes('"batchSize": -3')) + 1);
  }

  // A broken draft: its field, pointing into the file's augment.views.
  const draft = [{ name: "view", count: 2, ops: [{ op: "randomResizedCrop", scale: [0.2, 1] }, { op: "hflip", p: 7 }] }];
  worker.send({ type: "render", request: request(4, { views: draft as never }) });
  const badDraft = await worker.reply(4);
  assert.equal(badDraft.type, "invalid", JSON.stringify(badDraft));
  if (badDraft.type === "invalid") assert.deepEqual(badDraft.issues.map((i) => i.field), ["augment.views.0.ops.1.p"]);
  // A draft the method cannot use (simclr needs two views).
  worker.send({ type: "render", request: request(5, { views: [{ ...draft[0]!, count: 3, ops: [draft[0]!.ops[0]!] }] as never }) });
  const three = await worker.reply(5);
  assert.equal(three.type, "invalid");
  if (three.type === "invalid") assert.match(three.issues[0]!.message, /simclr uses 2 views/);

  // A good draft replaces the policy.
  const good = [{ name: "soft", count: 2, ops: [{ op: "randomResizedCrop", scale: [0.9, 1] }, { op: "invert", p: 1 }] }];
  worker.send({ type: "render", request: request(6, { views: good as never, count: 2 }) });
  const drafted = await worker.reply(6);
  assert.equal(drafted.type, "rendered", JSON.stringify(drafted));
  if (drafted.type === "rendered") {
    assert.deepEqual(drafted.result.images[0]!.views.map((v) => v.label), ["soft 1", "soft 2"]);
    assert.deepEqual(drafted.result.images[0]!.views[0]!.trace.map((d) => d.op), ["randomResizedCrop", "invert"]);
  }

  // Bad requests fail without killing the worker.
  worker.send({ type: "render", request: request(7, { count: 0 }) });
  assert.equal((await worker.reply(7)).type, "failed");
  worker.send({ type: "render", request: request(8, { epoch: 10 }) });
  const late = await worker.reply(8);
  assert.equal(late.type, "failed");
  if (late.type === "failed") assert.match(late.error, /past the last epoch/);
  worker.send({ type: "render", request: null as never });
  assert.equal((await worker.reply(-1)).type, "failed");

  // Requests sent while one renders: only the latest waiting one is answered.
  const before = worker.messages.length;
  for (let id = 20; id <= 24; id++) worker.send({ type: "render", request: request(id, { seed: id }) });
  const last = await worker.reply(24);
  assert.equal(last.type, "rendered");
  const answered = worker.messages.slice(before).map((m) => (m.type === "rendered" ? m.result.id : m.type === "ready" ? -1 : m.id));
  assert.equal(answered[0], 20);
  assert.equal(answered[answered.length - 1], 24);
  assert.ok(answered.length < 5, `superseded requests skipped: answered ${answered.join(", ")}`);

  worker.child.disconnect();
  assert.equal(await worker.exited, 0);
});

test("the preview worker renders an image folder dataset", { skip, timeout: 60_000 }, async () => {
  const dir = tempDir("preview-folder");
  for (let i = 0; i < 30; i++) {
    const cls = i % 2 ? "cats" : "dogs";
    fs.mkdirSync(path.join(dir, "imgs", cls), { recursive: true });
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: i * 8, g: 100, b: 255 - i * 8 } } }).png().toFile(path.join(dir, "imgs", cls, `${i}.png`));
  }
  const file = path.join(dir, "folder.ssl.json");
  const config = { dataset: { format: "folder", train: "imgs" }, imageSize: 24, augment: { preset: "mocov2" } };
  fs.writeFileSync(file, JSON.stringify(config));
  const worker = new Worker(["--backend", "cpu"]);
  workers.push(worker);
  worker.send({ type: "render", request: { id: 1, experimentFile: file, configText: JSON.stringify(config), seed: 3, count: 4, epoch: 0 } });
  const reply = await worker.reply(1);
  assert.equal(reply.type, "rendered", JSON.stringify(reply));
  if (reply.type === "rendered") {
    assert.equal(reply.result.images.length, 4);
    const meta = await sharp(Buffer.from(reply.result.images[0]!.original, "base64")).metadata();
    assert.deepEqual([meta.width, meta.height, meta.channels], [24, 24, 3]);
  }
  worker.child.disconnect();
  assert.equal(await worker.exited, 0);
});
