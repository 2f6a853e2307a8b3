/**
 * A stand-in for the `vscode` module, just wide enough for src/extension, so
 * activation and the commands can run in plain Node against real files and
 * real child processes. It records what a person would have seen (messages,
 * progress, status bar, opened editors) and answers prompts from `stub.answer`.
 * It is not VS Code: e2e tests in a real one come with code-server.
 */
import * as fs from "node:fs";
import * as path from "node:path";

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  event = (l: Listener<T>) => {
    this.listeners.add(l);
    return { dispose: () => this.listeners.delete(l) };
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  static file(p: string): Uri {
    return new Uri("file", path.resolve(p));
  }
  get path(): string {
    return this.fsPath;
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class Position {
  constructor(readonly line: number, readonly character: number) {}
}
export class Range {
  constructor(readonly start: Position, readonly end: Position) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: unknown;
  resourceUri?: Uri;
  constructor(readonly label: string, readonly collapsibleState: number) {}
}
export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 } as const;
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } as const;
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const UIKind = { Desktop: 1, Web: 2 } as const;

export interface Shown {
  kind: "info" | "warn" | "error";
  text: string;
  items: string[];
}

export interface ProgressRecord {
  title?: string;
  reports: { message?: string; increment?: number }[];
  cancel(): void;
  done: boolean;
}

/** What the tests read and steer. */
export const stub = {
  root: "",
  shown: [] as Shown[],
  progress: [] as ProgressRecord[],
  log: [] as string[],
  statusBar: { text: "", visible: false, tooltip: "" as unknown },
  executed: [] as { id: string; args: unknown[] }[],
  opened: [] as { file: string; selection?: Range }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  taskProviders: new Map<string, unknown>(),
  treeProvider: undefined as undefined | { getChildren(e?: unknown): Promise<unknown[]>; getTreeItem(e: unknown): TreeItem },
  activeFile: undefined as string | undefined,
  /** Answers for prompts: called with the prompt kind and text, returns the choice. */
  answer: (_kind: string, _text: string, _items: string[]): string | undefined => undefined,
  inputValidation: [] as (string | undefined)[],
  /** Waiters on messages, so tests can await "the run ended". */
  onShown: new EventEmitter<Shown>(),
  reset(root: string): void {
    this.root = root;
    this.shown = [];
    this.progress = [];
    this.log = [];
    this.statusBar = { text: "", visible: false, tooltip: "" };
    this.executed = [];
    this.opened = [];
    this.commands.clear();
    this.treeProvider = undefined;
    this.activeFile = undefined;
    this.answer = () => undefined;
    this.inputValidation = [];
  },
  nextMessage(match: RegExp): Promise<Shown> {
    const found = this.shown.find((s) => match.test(s.text));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const sub = this.onShown.event((s) => {
        if (match.test(s.text)) {
          sub.dispose();
          resolve(s);
        }
      });
    });
  },
};

function show(kind: Shown["kind"]) {
  return async (text: string, ...rest: unknown[]) => {
    const items = rest.filter((r): r is string => typeof r === "string");
    const s = { kind, text, items };
    stub.shown.push(s);
    stub.onShown.fire(s);
    return stub.answer(kind, text, items);
  };
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === ".git") continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith(".ssl.json")) out.push(p);
  }
}

class Doc {
  readonly text: string;
  constructor(readonly uri: Uri) {
    this.text = fs.readFileSync(uri.fsPath, "utf8");
  }
  isDirty = false;
  get lineCount(): number {
    return this.text.split("\n").length;
  }
  positionAt(offset: number): Position {
    const before = this.text.slice(0, offset).split("\n");
    return new Position(before.length - 1, before.at(-1)!.length);
  }
  async save(): Promise<boolean> {
    return true;
  }
}

export const window = {
  showInformationMessage: show("info"),
  showWarningMessage: show("warn"),
  showErrorMessage: show("error"),
  createOutputChannel: (_name: string, _opts?: unknown) => {
    const line = (level: string) => (m: string) => void stub.log.push(`${level} ${m}`);
    return { info: line("info"), warn: line("warn"), error: line("error"), debug: line("debug"), trace: line("trace"), show: () => undefined, dispose: () => undefined };
  },
  createStatusBarItem: () => {
    const item = {
      name: "",
      command: "",
      set text(t: string) {
        stub.statusBar.text = t;
      },
      get text() {
        return stub.statusBar.text;
      },
      set tooltip(t: unknown) {
        stub.statusBar.tooltip = t;
      },
      show: () => void (stub.statusBar.visible = true),
      hide: () => void (stub.statusBar.visible = false),
      dispose: () => void (stub.statusBar.visible = false),
    };
    return item;
  },
  createTreeView: (_id: string, opts: { treeDataProvider: typeof stub.treeProvider }) => {
    stub.treeProvider = opts.treeDataProvider;
    return { dispose: () => undefined };
  },
  withProgress: async <T>(opts: { title?: string }, task: (p: { report(v: { message?: string; increment?: number }): void }, token: { onCancellationRequested: (l: () => void) => unknown }) => Promise<T>) => {
    const cancelled = new EventEmitter<void>();
    const rec: ProgressRecord = { title: opts.title, reports: [], cancel: () => cancelled.fire(), done: false };
    stub.progress.push(rec);
    try {
      return await task({ report: (v) => void rec.reports.push(v) }, { onCancellationRequested: (l) => cancelled.event(l) });
    } finally {
      rec.done = true;
    }
  },
  showQuickPick: async (items: { label: string }[]) => {
    const label = stub.answer("quickPick", "", items.map((i) => i.label));
    return items.find((i) => i.label === label);
  },
  showInputBox: async (opts: { value?: string; validateInput?: (v: string) => string | undefined }) => {
    const v = stub.answer("input", "", []);
    if (v !== undefined && opts.validateInput) stub.inputValidation.push(opts.validateInput(v));
    return v;
  },
  showWorkspaceFolderPick: async () => workspace.workspaceFolders[0],
  showTextDocument: async (d: Doc | Uri, opts?: { selection?: Range }) => {
    const uri = d instanceof Uri ? d : d.uri;
    stub.opened.push({ file: uri.fsPath, selection: opts?.selection });
    return {};
  },
  get activeTextEditor() {
    return stub.activeFile ? { document: new Doc(Uri.file(stub.activeFile)) } : undefined;
  },
};

export const workspace = {
  get workspaceFolders() {
    return [{ uri: Uri.file(stub.root), name: path.basename(stub.root), index: 0 }];
  },
  findFiles: async () => {
    const out: string[] = [];
    walk(stub.root, out);
    return out.map((f) => Uri.file(f));
  },
  createFileSystemWatcher: () => {
    const none = () => ({ dispose: () => undefined });
    return { onDidCreate: none, onDidChange: none, onDidDelete: none, dispose: () => undefined };
  },
  textDocuments: [] as Doc[],
  getWorkspaceFolder: (uri: Uri) => (uri.fsPath.startsWith(stub.root + path.sep) ? workspace.workspaceFolders[0] : undefined),
  asRelativePath: (p: string | Uri) => path.relative(stub.root, typeof p === "string" ? p : p.fsPath),
  getConfiguration: () => ({ get: () => undefined }),
  openTextDocument: async (uri: Uri) => new Doc(uri),
};

export const commands = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    stub.commands.set(id, fn);
    return { dispose: () => stub.commands.delete(id) };
  },
  executeCommand: async (id: string, ...args: unknown[]) => {
    stub.executed.push({ id, args });
    return stub.commands.get(id)?.(...args);
  },
};

/** Task providers are exercised in the real extension host (test/e2e/exthost); here activation only registers one. */
export const tasks = {
  registerTaskProvider: (type: string, provider: unknown) => {
    stub.taskProviders.set(type, provider);
    return { dispose: () => stub.taskProviders.delete(type) };
  },
};

export const env = { remoteName: undefined as string | undefined, uiKind: UIKind.Desktop };
