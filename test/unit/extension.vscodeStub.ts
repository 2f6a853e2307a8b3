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

// ---- language features: what IntelliSense providers return ----
export const CompletionItemKind = { File: 16, Folder: 18, EnumMember: 19 } as const;
export class CompletionItem {
  range?: Range;
  detail?: string;
  documentation?: MarkdownString;
  sortText?: string;
  insertText?: string;
  command?: { command: string; title: string };
  constructor(readonly label: string, readonly kind?: number) {}
}
export class MarkdownString {
  constructor(public value = "") {}
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendCodeblock(code: string, language = ""): this {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}
export class Hover {
  constructor(readonly contents: MarkdownString, readonly range?: Range) {}
}
export const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;
export class Diagnostic {
  source?: string;
  code?: string | number;
  constructor(readonly range: Range, readonly message: string, readonly severity: number) {}
}
export class WorkspaceEdit {
  readonly replacements: { uri: Uri; range: Range; text: string }[] = [];
  replace(uri: Uri, range: Range, text: string): void {
    this.replacements.push({ uri, range, text });
  }
}
export const CodeActionKind = { QuickFix: "quickfix" } as const;
export class CodeAction {
  diagnostics?: Diagnostic[];
  edit?: WorkspaceEdit;
  command?: { command: string; title: string; arguments?: unknown[] };
  isPreferred?: boolean;
  constructor(readonly title: string, readonly kind?: string) {}
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
  /** Language feature providers by kind ("completion", "hover", "codeActions"), with their selector and trigger characters. */
  languageProviders: [] as { kind: string; selector: unknown; provider: any; extra: unknown[] }[],
  /** What each diagnostic collection holds, by collection name, then document Uri string. */
  diagnostics: new Map<string, Map<string, Diagnostic[]>>(),
  onDidOpen: new EventEmitter<Doc>(),
  onDidChange: new EventEmitter<{ document: Doc }>(),
  onDidClose: new EventEmitter<Doc>(),
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
    this.languageProviders = [];
    this.diagnostics.clear();
    workspace.textDocuments.length = 0;
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

export class Doc {
  text: string;
  readonly languageId = "jsonc";
  /** `text`: an editor's unsaved text; the file's when omitted. */
  constructor(readonly uri: Uri, text?: string) {
    this.text = text ?? fs.readFileSync(uri.fsPath, "utf8");
  }
  isDirty = false;
  get fileName(): string {
    return this.uri.fsPath;
  }
  getText(): string {
    return this.text;
  }
  offsetAt(p: Position): number {
    const lines = this.text.split("\n");
    let offset = 0;
    for (let i = 0; i < p.line && i < lines.length; i++) offset += lines[i]!.length + 1;
    return offset + p.character;
  }
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
    return { dispose: () => undefined, selection: [] as unknown[], reveal: async () => undefined };
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
  showSaveDialog: async () => {
    const file = stub.answer("save", "", []);
    return file ? Uri.file(file) : undefined;
  },
  showTextDocument: async (d: Doc | Uri, opts?: { selection?: Range }) => {
    const uri = d instanceof Uri ? d : d.uri;
    stub.opened.push({ file: uri.fsPath, selection: opts?.selection });
    return {};
  },
  visibleTextEditors: [] as { document: Doc; options: { insertSpaces?: boolean; tabSize?: number } }[],
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
  onDidOpenTextDocument: (l: Listener<Doc>) => stub.onDidOpen.event(l),
  onDidChangeTextDocument: (l: Listener<{ document: Doc }>) => stub.onDidChange.event(l),
  onDidCloseTextDocument: (l: Listener<Doc>) => stub.onDidClose.event(l),
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

/** Opens a document as an editor would (text: unsaved contents), firing onDidOpenTextDocument. */
export function openDocument(file: string, text?: string): Doc {
  const doc = new Doc(Uri.file(file), text);
  workspace.textDocuments.push(doc);
  stub.onDidOpen.fire(doc);
  return doc;
}

/** Replaces a document's text as typing would, firing onDidChangeTextDocument. */
export function changeDocument(doc: Doc, text: string): void {
  doc.text = text;
  stub.onDidChange.fire({ document: doc });
}

export const languages = {
  registerCompletionItemProvider: (selector: unknown, provider: unknown, ...triggerCharacters: string[]) => register("completion", selector, provider, triggerCharacters),
  registerHoverProvider: (selector: unknown, provider: unknown) => register("hover", selector, provider, []),
  registerCodeActionsProvider: (selector: unknown, provider: unknown, metadata?: unknown) => register("codeActions", selector, provider, [metadata]),
  createDiagnosticCollection: (name: string) => {
    const entries = new Map<string, Diagnostic[]>();
    stub.diagnostics.set(name, entries);
    return {
      name,
      set: (uri: Uri, diagnostics: Diagnostic[]) => void entries.set(uri.toString(), diagnostics),
      get: (uri: Uri) => entries.get(uri.toString()),
      delete: (uri: Uri) => void entries.delete(uri.toString()),
      clear: () => entries.clear(),
      dispose: () => void stub.diagnostics.delete(name),
    };
  },
};

function register(kind: string, selector: unknown, provider: unknown, extra: unknown[]) {
  const entry = { kind, selector, provider, extra };
  stub.languageProviders.push(entry);
  return { dispose: () => void (stub.languageProviders = stub.languageProviders.filter((e) => e !== entry)) };
}

/** Task providers are exercised in the real extension host (test/e2e/exthost); here activation only registers one. */
export const tasks = {
  registerTaskProvider: (type: string, provider: unknown) => {
    stub.taskProviders.set(type, provider);
    return { dispose: () => stub.taskProviders.delete(type) };
  },
};

export const env = { remoteName: undefined as string | undefined, uiKind: UIKind.Desktop };
