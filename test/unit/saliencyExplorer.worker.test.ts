/**
 * The explorer worker process (src/trainer/saliencyExplorerMain.ts, run
 * through tsx) driven by the extension's client
 * (src/extension/saliencyExplorer/workerClient.ts) over real IPC: explores
 * are latest-only (older waiting ones answer "superseded"), lists and stats
 * answer in order, a build reports progress and stops on cancel leaving a
 * cache the next build resumes; a crashed worker fails what was pending and
 * the next request starts a new one.
 */
import { after, test } from "node:test";
import * as assert from "node:assert/strict";
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SaliencyParams } from "../../src/core/config/saliencySchema";
import type { BuildProgressInfo } from "../../src/protocol/saliencyExplorer";
import { ExplorerWorkerClient, nextRequestId } from "../../src/extension/saliencyExplorer/workerClient";
import type { NodeScriptOptions } from "../../src/extension/nodeProcess";

const repo = path.resolve(__dirname, "../..");
const MAIN = path.join(repo, "src", "trainer", "saliencyExplorerMain.ts");
const EXAMPLE = path.join(repo, "examples", "saliency");
const SCENE = path.join(EXAMPLE, "images", "scene-03.jpg");
const PARAMS: SaliencyParams = { map: "rc", threshold: 70, iterations: 4, scale: 1, output: "regions" };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-saliency-worker-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Forks a TypeScript worker through tsx, as the extension forks the bundle. */
const tsxFork = (script: string, args: string[], o: NodeScriptOptions) =>
  fork(script, args, { cwd: o.cwd, execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"] });

function client(extra: Partial<ConstructorParameters<typeof ExplorerWorkerClient>[0]> = {}): ExplorerWorkerClient {
  return new ExplorerWorkerClient({ script: MAIN, cwd: repo, fork: tsxFork, ...extra });
}

test("explores are latest-only; lists and stats answer in order beside them", async () => {
  const c = client();
  try {
    const first = await c.explore({ id: nextRequestId(), source: { kind: "file", file: SCENE }, params: PARAMS, paletteSeed: 0 });
    assert.equal(first.type, "explored", JSON.stringify(first).slice(0, 300));
    // Three quick changes while nothing runs: the first starts, the second waits and is replaced by the third.
    const ids = [nextRequestId(), nextRequestId(), nextRequestId()];
    const replies = await Promise.all(ids.map((id, k) => c.explore({ id, source: { kind: "file", file: SCENE }, params: { ...PARAMS, threshold: 100 + 40 * k }, paletteSeed: 0 })));
    assert.deepEqual(
      replies.map((r) => r.type),
      ["explored", "superseded", "explored"],
    );
    const last = replies[2]!;
    assert.ok(last.type === "explored" && last.result.id === ids[2] && last.result.params.threshold === 180);

    const file = path.join(EXAMPLE, "saliencycut-simclr.ssl.json");
    const [list, stats] = await Promise.all([c.listImages({ id: nextRequestId(), experimentFile: file }), c.stats({ id: nextRequestId(), experimentFile: file })]);
    assert.equal(list.type, "images");
    assert.equal(list.type === "images" && list.list.count, 12);
    assert.equal(stats.type, "stats");
    assert.equal(stats.type === "stats" && stats.stats.images, 12);
    assert.equal(c.starts, 1);
  } finally {
    c.dispose();
  }
});

test("a build reports progress, stops on cancel with a resumable cache, and runs one at a time per experiment", async () => {
  const dir = path.join(tmp, "build");
  fs.mkdirSync(dir);
  fs.cpSync(path.join(EXAMPLE, "images"), path.join(dir, "images"), { recursive: true });
  const file = path.join(dir, "x.ssl.json");
  fs.copyFileSync(path.join(EXAMPLE, "saliencycut-simclr.ssl.json"), file);
  const c = client();
  try {
    const seen: BuildProgressInfo[] = [];
    const job = c.build({ id: nextRequestId(), experimentFile: file, workers: 1 }, (p) => {
      seen.push(p);
      if (p.phase === "computing" && p.done >= 1) job.cancel();
    });
    assert.equal(c.buildOf(file), job);
    assert.equal(c.build({ id: nextRequestId(), experimentFile: file }, () => undefined), job, "a second build of the same cache joins the first");
    const cancelled = await job.done;
    assert.equal(cancelled.type, "built", JSON.stringify(cancelled));
    if (cancelled.type !== "built") return;
    assert.equal(cancelled.summary.cancelled, true);
    assert.ok(cancelled.summary.computed >= 1 && cancelled.summary.computed < 12, `computed ${cancelled.summary.computed}`);
    assert.ok(seen.length >= 2 && seen.some((p) => p.phase === "decoding"));
    assert.equal(c.buildOf(file), undefined);

    const resumed = await c.build({ id: nextRequestId(), experimentFile: file }, () => undefined).done;
    assert.equal(resumed.type, "built");
    if (resumed.type !== "built") return;
    assert.equal(resumed.summary.cachedBefore, cancelled.summary.computed);
    assert.equal(resumed.summary.cachedBefore + resumed.summary.computed, 12);
    assert.equal(resumed.summary.cancelled, false);
  } finally {
    c.dispose();
  }
});

test("a worker that dies fails what was pending; the next request starts a new one", async () => {
  // A fake worker: answers stats, dies on explore.
  const fake = path.join(tmp, "fake-worker.js");
  fs.writeFileSync(
    fake,
    `process.on("message", (m) => {
  if (m.type === "explore") { console.error("Error: boom in SaliencyCut"); process.exit(3); }
  if (m.type === "stats") process.send({ type: "failed", id: m.request.id, error: "no stats here" });
});
process.send({ type: "ready" });
`,
  );
  const lines: string[] = [];
  const c = new ExplorerWorkerClient({ script: fake, cwd: tmp, idleMs: 200, log: (l) => lines.push(l) });
  try {
    const dead = await c.explore({ id: nextRequestId(), source: { kind: "file", file: SCENE }, params: PARAMS, paletteSeed: 0 });
    assert.equal(dead.type, "failed");
    assert.match((dead as { error: string }).error, /stopped: it exited with code 3: Error: boom in SaliencyCut/);
    const again = await c.stats({ id: nextRequestId(), experimentFile: "x" });
    assert.deepEqual({ ...again, id: 0 }, { type: "failed", id: 0, error: "no stats here" });
    assert.equal(c.starts, 2);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(c.running, false, "stopped when idle");
    assert.ok(lines.some((l) => /idle/.test(l)));
  } finally {
    c.dispose();
  }
});

test("a request that never answers times out; a missing script is a failed request, not a throw", async () => {
  const silent = path.join(tmp, "silent-worker.js");
  fs.writeFileSync(silent, `process.on("message", () => undefined); process.send({ type: "ready" });`);
  const c = new ExplorerWorkerClient({ script: silent, cwd: tmp, requestTimeoutMs: 300 });
  try {
    const r = await c.listImages({ id: nextRequestId(), experimentFile: "x" });
    assert.equal(r.type, "failed");
    assert.match((r as { error: string }).error, /did not answer within 0.3 s/);
  } finally {
    c.dispose();
  }
  const none = new ExplorerWorkerClient({ script: path.join(tmp, "no-such-worker.js"), cwd: tmp });
  try {
    const r = await none.stats({ id: nextRequestId(), experimentFile: "x" });
    assert.equal(r.type, "failed");
  } finally {
    none.dispose();
  }
  const closed = client();
  closed.dispose();
  assert.deepEqual(await closed.stats({ id: 1, experimentFile: "x" }), { type: "failed", id: 1, error: "the Saliency Explorer is closed" });
});
