/**
 * Extension code in plain Node: importing this makes `require("vscode")`
 * resolve to the stand-in module (extension.vscodeStub.ts). Import it before
 * any extension module, and require those after it. fakeWebviewPanels()
 * adds webview panels a test can read (what the host posted, as the real
 * postMessage's structured clone) and drive (messages from the page);
 * activateOn() starts the extension on a workspace folder.
 */
import { execFileSync } from "node:child_process";
import Module from "node:module";
import * as path from "node:path";

const stubPath = require.resolve("./extension.vscodeStub.ts");
const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = M._resolveFilename;
M._resolveFilename = function (request: string, ...rest: unknown[]) {
  return request === "vscode" ? stubPath : resolve.call(this, request, ...rest);
};

export const vscodeStub = require("./extension.vscodeStub.ts") as typeof import("./extension.vscodeStub");
const { EventEmitter, Uri } = vscodeStub;
type StubUri = ReturnType<typeof Uri.file>;

export class FakeWebviewPanel<Out, In> {
  readonly posted: Out[] = [];
  readonly onPost = new EventEmitter<Out>();
  private readonly received = new EventEmitter<In>();
  private readonly disposed = new EventEmitter<void>();
  private readonly viewState = new EventEmitter<{ webviewPanel: FakeWebviewPanel<Out, In> }>();
  active = true;
  visible = true;
  title: string;
  readonly webview = {
    html: "",
    cspSource: "vscode-resource:",
    asWebviewUri: (u: StubUri) => u,
    postMessage: async (m: Out) => {
      const copy = JSON.parse(JSON.stringify(m)) as Out;
      this.posted.push(copy);
      this.onPost.fire(copy);
      return true;
    },
    onDidReceiveMessage: this.received.event,
  };
  readonly onDidDispose = this.disposed.event;
  readonly onDidChangeViewState = this.viewState.event;
  constructor(
    readonly viewType: string,
    title: string,
  ) {
    this.title = title;
  }
  reveal(): void {}
  dispose(): void {
    this.disposed.fire();
  }
  /** A message from the page. */
  send(m: In): void {
    this.received.fire(m);
  }

  /** The next message posted to the page (from index `from` on) that `match` accepts; `describe` words the others in a timeout's error. */
  next<T extends Out>(match: (m: Out) => m is T, o: { from?: number; timeoutMs?: number; describe?: (m: Out) => string } = {}): Promise<T> {
    const { from = 0, timeoutMs = 60_000, describe = (m: Out) => String((m as { type?: unknown }).type) } = o;
    const found = this.posted.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${timeoutMs} ms; posted: ${this.posted.map(describe).join("\n")}`)), timeoutMs);
      const sub = this.onPost.event((m) => {
        if (match(m)) {
          clearTimeout(timer);
          sub.dispose();
          resolve(m);
        }
      });
    });
  }
}

/** From now on window.createWebviewPanel makes fakes; the returned list fills as the extension opens panels. */
export function fakeWebviewPanels<Out, In>(): FakeWebviewPanel<Out, In>[] {
  const panels: FakeWebviewPanel<Out, In>[] = [];
  const v = vscodeStub as unknown as Record<string, unknown>;
  v.ViewColumn = { Active: -1, Beside: -2, One: 1 };
  v.RelativePattern = class {
    constructor(
      readonly base: unknown,
      readonly pattern: string,
    ) {}
  };
  (Uri as unknown as { joinPath: (u: StubUri, ...p: string[]) => StubUri }).joinPath = (u, ...p) => Uri.file(path.join(u.fsPath, ...p));
  (vscodeStub.window as unknown as Record<string, unknown>).createWebviewPanel = (viewType: string, title: string) => {
    const p = new FakeWebviewPanel<Out, In>(viewType, title);
    panels.push(p);
    return p;
  };
  return panels;
}

const repo = path.resolve(__dirname, "../..");

/** Activates the extension (required after this module) on the workspace folder `ws`, the stub reset; the result undoes it. */
export function activateOn(extension: typeof import("../../src/extension/extension"), ws: string): () => void {
  vscodeStub.stub.reset(ws);
  const subscriptions: { dispose(): unknown }[] = [];
  extension.activate({ subscriptions, extensionPath: repo, extensionUri: Uri.file(repo), asAbsolutePath: (p: string) => path.join(repo, p) } as never);
  return () => {
    extension.deactivate();
    for (const s of subscriptions) s.dispose();
  };
}

/** Pids of this process's children running `script` (a worker bundle such as dist/saliencyExplorer.js). */
export function childPids(script: string): number[] {
  const out = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => l.includes(script))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

export async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!probe()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
