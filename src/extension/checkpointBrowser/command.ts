/**
 * "SSL: Browse Checkpoints": the Checkpoint Browser on what the command is
 * about. A tree node (an experiment: all its runs; a run; a checkpoint: its
 * run, that row selected), a Uri (an experiment file, a run or checkpoint
 * folder), or nothing (the open panel, else a pick among the runs with
 * checkpoints). One panel per window, and one worker it starts on first use
 * and stops when it closes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { readCheckpointMeta } from "../../core/run/checkpoint";
import { describeExperiment, isExperimentFile } from "../experiments";
import { pickRun, workspaceExperimentFiles } from "../commands/pickers";
import { readJsonLines } from "../../core/run/atomicFile";
import type { RunEvent } from "../../protocol/runFiles";
import { asNode, type Services } from "../services";
import { CheckpointActions } from "./actions";
import { CheckpointPanel } from "./panel";
import type { BrowserTarget } from "./rows";
import { CheckpointWorkerClient } from "./workerClient";

class CheckpointBrowser implements vscode.Disposable {
  private panel?: CheckpointPanel;
  private client?: CheckpointWorkerClient;
  private readonly actions: CheckpointActions;

  constructor(private readonly s: Services) {
    this.actions = new CheckpointActions(s, () => this.worker());
  }

  get current(): CheckpointPanel | undefined {
    return this.panel;
  }

  open(target: BrowserTarget): CheckpointPanel {
    this.panel ??= new CheckpointPanel({
      extensionUri: this.s.context.extensionUri,
      log: this.s.log,
      isLive: (dir) => !!this.s.registry.byRunDir(dir),
      act: (m, row, panel) => this.actions.act(m, row, panel),
      onDispose: (p) => {
        if (this.panel !== p) return;
        this.panel = undefined;
        this.client?.dispose();
        this.client = undefined;
      },
    });
    this.panel.show(target);
    return this.panel;
  }

  private worker(): CheckpointWorkerClient | { missing: string } {
    if (this.client) return this.client;
    const script = this.s.context.asAbsolutePath(path.join("dist", "checkpointBrowser.js"));
    if (!fs.existsSync(script)) return { missing: `The checkpoint worker is missing (${script}); run "npm run build".` };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    this.client = new CheckpointWorkerClient({
      script,
      cwd: folder && fs.existsSync(folder) ? folder : path.dirname(script),
      nodePath: vscode.workspace.getConfiguration("ssl").get<string>("nodePath") || undefined,
      log: (line) => this.s.log.info(line),
    });
    return this.client;
  }

  dispose(): void {
    this.panel?.dispose();
    this.client?.dispose();
  }
}

const browsers = new WeakMap<Services, CheckpointBrowser>();

/** The browser of this activation, created on first use and disposed with the extension. */
function checkpointBrowser(s: Services): CheckpointBrowser {
  let b = browsers.get(s);
  if (!b) {
    b = new CheckpointBrowser(s);
    browsers.set(s, b);
    s.context.subscriptions.push(b);
  }
  return b;
}

/**
 * The experiment file of a run folder: the workspace experiment whose runs
 * folder holds it, else the file its trainer named when it started.
 */
export function experimentOfRun(runDir: string, experimentFiles: readonly string[]): string | undefined {
  const runsDir = path.dirname(path.resolve(runDir));
  const found = experimentFiles.find((f) => path.resolve(describeExperiment(f).runsDir) === runsDir);
  if (found) return found;
  const started = readJsonLines<RunEvent>(path.join(runDir, "events.jsonl")).find((e) => e?.type === "started");
  const file = started?.data?.experimentFile;
  return typeof file === "string" && fs.existsSync(file) ? file : undefined;
}

async function runTarget(runDir: string, selected?: string): Promise<BrowserTarget> {
  const experimentFile = experimentOfRun(runDir, await workspaceExperimentFiles());
  const experimentName = experimentFile ? describeExperiment(experimentFile).name : path.basename(path.dirname(runDir));
  return { experimentFile, experimentName, scope: { kind: "run", runDir }, selected };
}

function experimentTarget(file: string): BrowserTarget {
  const info = describeExperiment(file);
  return { experimentFile: info.file, experimentName: info.name, scope: { kind: "experiment", runsDir: info.runsDir } };
}

/** What a command argument points at, or undefined for anything else. */
export async function targetOf(arg: unknown): Promise<BrowserTarget | undefined> {
  const node = asNode(arg);
  if (node?.kind === "experiment") return experimentTarget(node.info.file);
  if (node?.kind === "run") return { ...(await runTarget(node.run.dir)), experimentFile: node.experimentFile };
  if (node?.kind === "checkpoint") return { ...(await runTarget(node.runDir, node.checkpoint.dir)), experimentFile: node.experimentFile };
  if (!(arg instanceof vscode.Uri) || arg.scheme !== "file") return undefined;
  const p = arg.fsPath;
  if (isExperimentFile(p)) return experimentTarget(p);
  if (readCheckpointMeta(p)) return runTarget(path.dirname(path.dirname(p)), p);
  if (fs.existsSync(path.join(p, "config.json"))) return runTarget(p);
  return undefined;
}

export async function browseCheckpoints(s: Services, arg?: unknown): Promise<void> {
  const browser = checkpointBrowser(s);
  let target = await targetOf(arg);
  if (!target) {
    if (arg instanceof vscode.Uri) {
      void vscode.window.showWarningMessage(`SSL: ${arg.fsPath} is not an experiment file, a run folder or a checkpoint folder.`);
      return;
    }
    if (browser.current) {
      browser.current.reveal();
      return;
    }
    const choice = await pickRun("SSL: Browse Checkpoints", s.registry, (r) => r.checkpoints.length > 0);
    if (!choice) return;
    target = { experimentFile: choice.experimentFile, experimentName: choice.experimentName, scope: { kind: "run", runDir: choice.run.dir } };
  }
  browser.open(target);
}
