/**
 * Extension code in plain Node: importing this makes `require("vscode")`
 * resolve to the stand-in module (extension.vscodeStub.ts). Import it before
 * any extension module, and require those after it. fakeWebviewPanels()
 * adds webview panels a test can read (what the host posted, as the real
 * postMessage's structured clone) and drive (messages from the page).
 */
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
