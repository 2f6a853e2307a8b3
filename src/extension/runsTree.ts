/**
 * The "SSL Experiments" tree: experiment files → runs → checkpoints. Built
 * from the files on disk on every refresh, with the live state of the runs
 * this window drives laid over it (progress arrives faster than summary.json).
 */
import * as path from "node:path";
import * as vscode from "vscode";
import { describeExperiment, EXPERIMENT_EXCLUDE, EXPERIMENT_GLOB, type ExperimentInfo } from "./experiments";
import { listCheckpoints, listRuns, type CheckpointInfo, type RunInfo, type RunState } from "./runFolder";
import { presentCheckpoint, presentRun } from "./format";
import { readCheckpointEval } from "../core/run/checkpointEval";
import type { RunRegistry } from "./runRegistry";
import { isInside } from "./reveal";

/** The label of a run forked but not yet given a folder by its trainer (its description says "starting…"). */
const PENDING_RUN_LABEL = "new run";

export type ExperimentNode = { kind: "experiment"; info: ExperimentInfo };
export type RunNode = { kind: "run"; experimentFile: string; run: RunInfo };
export type CheckpointNode = { kind: "checkpoint"; experimentFile: string; runDir: string; checkpoint: CheckpointInfo };
export type SslNode = ExperimentNode | RunNode | CheckpointNode;

const ICONS: Record<RunState, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon("loading~spin"),
  finished: new vscode.ThemeIcon("pass", new vscode.ThemeColor("testing.iconPassed")),
  stopped: new vscode.ThemeIcon("debug-stop"),
  failed: new vscode.ThemeIcon("error", new vscode.ThemeColor("errorForeground")),
  interrupted: new vscode.ThemeIcon("warning", new vscode.ThemeColor("errorForeground")),
  unknown: new vscode.ThemeIcon("question"),
};

export class RunsTreeProvider implements vscode.TreeDataProvider<SslNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SslNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The run nodes last handed out, so a progress message can repaint just its run. */
  private readonly runNodes = new Map<string, RunNode>();
  private readonly experimentNodes = new Map<string, ExperimentNode>();

  constructor(private readonly registry: RunRegistry) {}

  refresh(): void {
    this.changed.fire(undefined);
  }

  /**
   * Repaints one run in place (live progress arrives every step; re-reading
   * every run folder that often is waste). A run not shown yet waits for the
   * next full refresh, which the run's start already triggered.
   */
  refreshRun(runDir: string | undefined): void {
    const node = runDir ? this.runNodes.get(path.resolve(runDir)) : undefined;
    if (node) this.changed.fire(node);
  }

  dispose(): void {
    this.changed.dispose();
  }

  async getChildren(element?: SslNode): Promise<SslNode[]> {
    try {
      if (!element) return await this.experiments();
      if (element.kind === "experiment") return this.runs(element.info);
      if (element.kind === "run") {
        return listCheckpoints(element.run.dir)
          .reverse()
          .map((checkpoint) => ({ kind: "checkpoint", experimentFile: element.experimentFile, runDir: element.run.dir, checkpoint }));
      }
      return [];
    } catch {
      // The readers do not throw on bad files; this guards the view against anything else.
      return [];
    }
  }

  /** A run's node for TreeView.reveal: the one the tree handed out, else a new one (items carry ids, so VS Code matches it). */
  async findRunNode(runDir: string): Promise<RunNode | undefined> {
    const dir = path.resolve(runDir);
    const known = this.runNodes.get(dir);
    if (known) return known;
    const uris = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXPERIMENT_EXCLUDE);
    for (const uri of uris) {
      const info = describeExperiment(uri.fsPath);
      if (!isInside(info.runsDir, dir)) continue;
      const run = listRuns(info.runsDir).find((r) => path.resolve(r.dir) === dir);
      if (run) return { kind: "run", experimentFile: info.file, run };
    }
    return undefined;
  }

  getParent(element: SslNode): SslNode | undefined {
    if (element.kind === "run") return this.experimentNodes.get(element.experimentFile) ?? { kind: "experiment", info: describeExperiment(element.experimentFile) };
    if (element.kind === "checkpoint") return this.runNodes.get(path.resolve(element.runDir));
    return undefined;
  }

  private async experiments(): Promise<ExperimentNode[]> {
    const uris = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXPERIMENT_EXCLUDE);
    const nodes = uris
      .filter((u) => u.scheme === "file")
      .map((u) => ({ kind: "experiment" as const, info: describeExperiment(u.fsPath) }))
      .sort((a, b) => vscode.workspace.asRelativePath(a.info.file).localeCompare(vscode.workspace.asRelativePath(b.info.file)));
    // Nodes handed out before this refresh are stale: VS Code no longer knows those objects.
    this.experimentNodes.clear();
    this.runNodes.clear();
    for (const n of nodes) this.experimentNodes.set(n.info.file, n);
    return nodes;
  }

  private runs(info: ExperimentInfo): RunNode[] {
    const nodes: RunNode[] = listRuns(info.runsDir).map((run) => ({ kind: "run", experimentFile: info.file, run }));
    const active = this.registry.get(info.file);
    // Between fork and runStarted the run has no folder yet; show it anyway so the click had a visible effect.
    if (active && !(active.runDir && nodes.some((n) => path.resolve(n.run.dir) === path.resolve(active.runDir!)))) {
      const dir = active.runDir ?? path.join(info.runsDir, "…");
      nodes.unshift({
        kind: "run",
        experimentFile: info.file,
        run: { id: active.runId ?? PENDING_RUN_LABEL, dir, state: "running", checkpoints: [], sortKey: "" },
      });
    }
    for (const n of nodes) this.runNodes.set(path.resolve(n.run.dir), n);
    return nodes;
  }

  getTreeItem(node: SslNode): vscode.TreeItem {
    switch (node.kind) {
      case "experiment":
        return this.experimentItem(node);
      case "run":
        return this.runItem(node);
      case "checkpoint": {
        const p = presentCheckpoint(node.checkpoint, readCheckpointEval(node.checkpoint.dir)?.report);
        const item = new vscode.TreeItem(p.label, vscode.TreeItemCollapsibleState.None);
        item.id = `ckpt:${node.checkpoint.dir}`;
        item.description = p.description;
        item.tooltip = p.tooltip.join("\n");
        item.iconPath = new vscode.ThemeIcon("save");
        item.contextValue = "checkpoint";
        item.resourceUri = vscode.Uri.file(node.checkpoint.dir);
        return item;
      }
    }
  }

  private experimentItem(node: ExperimentNode): vscode.TreeItem {
    const { info } = node;
    const item = new vscode.TreeItem(info.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `exp:${info.file}`;
    const active = this.registry.get(info.file);
    const rel = vscode.workspace.asRelativePath(info.file);
    item.description = info.problem ? `⚠ ${rel}` : rel;
    item.tooltip = info.problem ? `${info.file}\n\n${info.problem.message}` : `${info.file}\nruns in ${info.runsDir}`;
    item.iconPath = info.problem ? new vscode.ThemeIcon("warning", new vscode.ThemeColor("problemsWarningIcon.foreground")) : new vscode.ThemeIcon("beaker");
    item.contextValue = active ? "experiment.running" : "experiment";
    item.command = { command: "vscode.open", title: "Open Experiment", arguments: [vscode.Uri.file(info.file)] };
    return item;
  }

  private runItem(node: RunNode): vscode.TreeItem {
    const { run } = node;
    const live = this.registry.byRunDir(run.dir) ?? (run.id === PENDING_RUN_LABEL ? this.registry.get(node.experimentFile) : undefined);
    const failure = live ? undefined : this.registry.failureOf(run.dir);
    const p = presentRun(run, live, failure);
    const item = new vscode.TreeItem(
      run.id,
      run.checkpoints.length > 0 || live ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `run:${run.dir}`;
    item.description = p.description;
    item.tooltip = p.tooltip.join("\n");
    item.iconPath = ICONS[p.icon];
    // run.<state>, plus ".resumable" so the resume action only shows where it can work.
    const resumable = !live && p.icon !== "finished" && p.icon !== "running" && run.checkpoints.length > 0;
    item.contextValue = `run.${p.icon}${resumable ? ".resumable" : ""}`;
    return item;
  }
}
