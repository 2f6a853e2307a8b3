/**
 * Tests that need the real `vscode` API, run inside code-server's extension
 * host (see index.ts). Add one by appending to `tests`.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";

export interface HostTestConfig {
  /** The development copy the window was opened with (the repository root). */
  extensionPath: string;
  extensionId: string;
  /** A tiny experiment (JSON text) that runs in seconds. */
  tinyExperiment: string;
  /** An existing folder in the workspace for the tests' files. */
  folder: string;
}

export interface HostTest {
  name: string;
  run(config: HostTestConfig): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(250);
  }
}

/** Writes <config.folder>/<name> and returns its Uri. */
function writeWorkspaceFile(c: HostTestConfig, name: string, text: string): vscode.Uri {
  const file = path.join(c.folder, name);
  fs.writeFileSync(file, text);
  return vscode.Uri.file(file);
}

export const tests: HostTest[] = [
  {
    name: "the development copy of SSL Studio loads and activates",
    async run(c) {
      const ext = vscode.extensions.getExtension(c.extensionId);
      assert.ok(ext, `${c.extensionId} is installed`);
      assert.equal(path.resolve(ext.extensionPath), path.resolve(c.extensionPath), "the window runs the development copy, not the installed .vsix");
      await ext.activate();
      assert.ok(ext.isActive);
      await vscode.commands.executeCommand("workbench.view.extension.ssl-studio");
    },
  },
  {
    name: "every command in package.json is registered",
    async run(c) {
      const pkg = JSON.parse(fs.readFileSync(path.join(c.extensionPath, "package.json"), "utf8")) as { contributes: { commands: { command: string }[] } };
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = pkg.contributes.commands.map((x) => x.command).filter((id) => !registered.has(id));
      assert.deepEqual(missing, [], `commands contributed but not registered: ${missing.join(", ")}`);
    },
  },
  {
    name: "*.ssl.json files open as JSON with Comments",
    async run(c) {
      const doc = await vscode.workspace.openTextDocument(writeWorkspaceFile(c, "language.ssl.json", "// a comment\n{}\n"));
      assert.equal(doc.languageId, "jsonc");
    },
  },
  {
    name: 'completion inside "method": comes from the contributed schema',
    async run(c) {
      const uri = writeWorkspaceFile(c, "complete.ssl.json", '{\n  "method": ""\n}\n');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc);
      const inside = new vscode.Position(1, '  "method": "'.length);
      // The JSON language server starts on demand: ask until it answers with the schema's values.
      const labels = await poll("completion items", async () => {
        const list = await vscode.commands.executeCommand<vscode.CompletionList>("vscode.executeCompletionItemProvider", uri, inside);
        const l = list.items.map((i) => (typeof i.label === "string" ? i.label : i.label.label));
        return l.some((x) => x.includes("simclr")) ? l : undefined;
      });
      assert.ok(labels.some((l) => l.replace(/"/g, "") === "simclr"), `offered: ${labels.join(", ")}`);
    },
  },
  {
    name: "a wrong method gets a diagnostic from the schema",
    async run(c) {
      const uri = writeWorkspaceFile(c, "wrong.ssl.json", '{\n  "method": "simclr2",\n  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" }\n}\n');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const d = await poll("a diagnostic on line 2", () => vscode.languages.getDiagnostics(uri).find((x) => x.range.start.line === 1));
      assert.match(d.message, /simclr.*byol/, `the message names the allowed values: ${d.message}`);
    },
  },
  {
    name: "ssl.pretrain with a file Uri (the explorer's context menu) runs that experiment to the end",
    async run(c) {
      const uri = writeWorkspaceFile(c, "by-uri.ssl.json", c.tinyExperiment);
      const runs = path.join(path.dirname(uri.fsPath), "runs", "by-uri");
      await vscode.commands.executeCommand("ssl.pretrain", uri);
      const summary = await poll(
        "runs/by-uri/<run>/summary.json to say finished",
        () => {
          if (!fs.existsSync(runs)) return undefined;
          for (const r of fs.readdirSync(runs)) {
            try {
              const s = JSON.parse(fs.readFileSync(path.join(runs, r, "summary.json"), "utf8")) as { status: string; epochsDone: number; knnFinal: number };
              if (s.status !== "running") return s;
            } catch {
              // not written yet
            }
          }
          return undefined;
        },
        60_000,
      );
      assert.equal(summary.status, "finished");
      assert.ok(Number.isFinite(summary.knnFinal), "the run has a final kNN");
    },
  },
  {
    name: 'tasks of type "ssl": listed per experiment, a pretrain task runs to the end, a broken config reaches Problems through $ssl',
    async run(c) {
      const good = writeWorkspaceFile(c, "by-task.ssl.json", c.tinyExperiment);
      const broken = writeWorkspaceFile(c, "broken-task.ssl.json", '{\n  "dataset": { "format": "embedded", "name": "fashion-mnist-5k" },\n  "train": { "optimizer": "adamw" }\n}\n');
      const folder = vscode.workspace.getWorkspaceFolder(good)!;
      const rel = (u: vscode.Uri) => path.relative(folder.uri.fsPath, u.fsPath);
      const tasks = await poll("ssl tasks for the new files", async () => {
        const all = await vscode.tasks.fetchTasks({ type: "ssl" });
        return all.some((t) => t.name === `pretrain ${rel(broken)}`) ? all : undefined;
      });
      const names = tasks.map((t) => t.name);
      for (const want of [`pretrain ${rel(good)}`, `cache-build ${rel(good)}`]) assert.ok(names.includes(want), `Run Task offers "${want}" (offered: ${names.join(", ")})`);

      const run = async (name: string) => {
        const task = tasks.find((t) => t.name === name)!;
        const ended = new Promise<number | undefined>((resolve) => {
          const sub = vscode.tasks.onDidEndTaskProcess((e) => {
            if (e.execution.task.name !== name) return;
            sub.dispose();
            resolve(e.exitCode);
          });
        });
        await vscode.tasks.executeTask(task);
        return ended;
      };
      assert.equal(await run(`pretrain ${rel(good)}`), 0, "the pretrain task's exit code");
      const runs = path.join(path.dirname(good.fsPath), "runs", "by-task");
      const summary = JSON.parse(fs.readFileSync(path.join(runs, fs.readdirSync(runs)[0]!, "summary.json"), "utf8")) as { status: string };
      assert.equal(summary.status, "finished");

      assert.equal(await run(`pretrain ${rel(broken)}`), 1, "a broken config fails the task");
      const d = await poll("the $ssl problem on broken-task.ssl.json", () => vscode.languages.getDiagnostics(broken).find((x) => x.source === "ssl-studio"));
      assert.equal(d.range.start.line, 2, "the line of train.optimizer");
      assert.match(d.message, /train\.optimizer/);
    },
  },
];
