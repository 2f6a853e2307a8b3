/**
 * Starts and stops pretraining runs from the editor: validation before the
 * trainer is forked, the cancellable progress notification, the log lines,
 * and the message each way a run can end. The trainer is a separate process,
 * so whatever happens to it the editor only shows a message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { ConfigError, loadExperiment } from "../core/config/load";
import type { TrainerToHost } from "../protocol/trainerMessages";
import { TrainerProcess, type TrainerOutcome } from "./trainerProcess";
import type { RunRegistry, ActiveRun } from "./runRegistry";
import { formatPercent, formatProgress, progressPercent, finishedText, stoppedText } from "./format";

export interface StartOptions {
  resumeRunDir?: string;
}

export class RunController {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly registry: RunRegistry,
  ) {}

  /** Starts a run of `file`; resolves when the trainer has ended (or never started). */
  async start(file: string, options: StartOptions = {}): Promise<void> {
    const existing = this.registry.get(file);
    if (existing) {
      const choice = await vscode.window.showInformationMessage(`SSL: ${existing.experimentName} is already running.`, "Stop Run", "Show Log");
      if (choice === "Stop Run") await this.stop(existing);
      else if (choice === "Show Log") this.log.show(true);
      return;
    }

    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === "file" && samePath(d.uri.fsPath, file));
    if (doc?.isDirty && !(await doc.save())) {
      void vscode.window.showWarningMessage(`SSL: ${path.basename(file)} was not saved; the run was not started.`);
      return;
    }

    // Validate here, before anything is forked or written: the error names the file and field.
    let experiment;
    try {
      experiment = loadExperiment(file);
    } catch (e) {
      if (e instanceof ConfigError) {
        const issue = e.issues[0];
        this.log.error(e.message);
        const choice = await vscode.window.showErrorMessage(`SSL: ${e.message}`, "Open File");
        if (choice === "Open File") await openAt(e.file, issue?.line, issue?.offset, issue?.length);
      } else {
        void vscode.window.showErrorMessage(`SSL: cannot read ${file}: ${(e as Error).message}`);
      }
      return;
    }

    const trainerScript = this.context.asAbsolutePath(path.join("dist", "trainer.js"));
    if (!fs.existsSync(trainerScript)) {
      void vscode.window.showErrorMessage(`SSL: the trainer is missing (${trainerScript}); run "npm run build".`);
      return;
    }

    const cwd = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(experiment.file))?.uri.fsPath ?? path.dirname(experiment.file);
    const name = experiment.name;
    const tag = `[${name}]`;
    let onMessage: (m: TrainerToHost) => void = () => undefined;

    this.log.info(`${tag} ${options.resumeRunDir ? `resuming ${options.resumeRunDir}` : `starting ${experiment.file}`}`);
    const trainer = new TrainerProcess(
      {
        trainerScript,
        cwd,
        experimentFile: experiment.file,
        resumeRunDir: options.resumeRunDir,
        nodePath: vscode.workspace.getConfiguration("ssl").get<string>("nodePath") || undefined,
      },
      {
        message: (m) => {
          this.logMessage(tag, m);
          this.registry.apply(experiment.file, m);
          onMessage(m);
        },
        output: (stream, line) => {
          if (!line.trim()) return;
          if (stream === "stderr") this.log.warn(`${tag} ${line}`);
          else this.log.info(`${tag} ${line}`);
        },
      },
    );
    const run = this.registry.add(experiment.file, name, trainer);

    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `SSL: ${name}`, cancellable: true },
      (progress, token) => {
        let shown = 0;
        progress.report({ message: options.resumeRunDir ? "resuming…" : "starting the trainer…" });
        token.onCancellationRequested(() => void this.stop(run));
        onMessage = (m) => {
          if (m.type === "runStarted") {
            progress.report({ message: `${m.backend} backend, ${m.epochs} epochs${m.resumedFromEpoch ? `, resumed after epoch ${m.resumedFromEpoch}` : ""}` });
          } else if (m.type === "progress") {
            const pct = progressPercent(m);
            const message = run.stopping ? "stopping after the current step…" : formatProgress(m, run.epochs);
            progress.report({ message, increment: pct > shown ? pct - shown : undefined });
            shown = Math.max(shown, pct);
          } else if (m.type === "eval" && m.knn !== undefined) {
            progress.report({ message: `epoch ${m.epoch}: kNN ${formatPercent(m.knn)}` });
          }
        };
        const sub = this.registry.onChange((c) => {
          if (c.run === run && c.kind === "state" && run.stopping) progress.report({ message: "stopping after the current step, then saving a checkpoint…" });
        });
        return trainer.done.finally(() => sub.dispose());
      },
    );

    this.registry.remove(experiment.file, failureReason(outcome));
    await this.report(name, run, outcome);
  }

  /** Clean stop; asking again while a stop is pending offers to kill. */
  async stop(run: ActiveRun): Promise<void> {
    if (run.stopping) {
      const choice = await vscode.window.showWarningMessage(
        `SSL: ${run.experimentName} is finishing its step and saving a checkpoint. Kill it now? Work since the last checkpoint is lost.`,
        { modal: true },
        "Kill",
      );
      if (choice === "Kill") {
        this.log.warn(`[${run.experimentName}] killed on request`);
        run.trainer.kill();
      }
      return;
    }
    this.log.info(`[${run.experimentName}] stop requested`);
    this.registry.markStopping(run.experimentFile);
    if (!run.trainer.stop()) this.log.warn(`[${run.experimentName}] the trainer is no longer listening`);
  }

  /** On deactivation: ask every trainer to checkpoint and exit; they outlive us if they must. */
  stopAll(): void {
    for (const run of this.registry.list()) {
      if (!run.stopping) run.trainer.stop();
    }
  }

  private logMessage(tag: string, m: TrainerToHost): void {
    switch (m.type) {
      case "log":
        this.log[m.level](`${tag} ${m.message}`);
        break;
      case "runStarted":
        this.log.info(
          `${tag} run ${m.runId} on ${m.backend}: ${m.epochs} epochs × ${m.stepsPerEpoch} steps` +
            (m.resumedFromEpoch ? `, resumed after epoch ${m.resumedFromEpoch}` : "") +
            ` → ${m.runDir}`,
        );
        break;
      case "progress":
        // Many per epoch: visible when the log level is Debug.
        this.log.debug(`${tag} step ${m.step}/${m.totalSteps} ${formatProgress(m)}`);
        break;
      // eval, checkpoint, finished and stopped are run events too: the trainer's own "log" line already tells them.
      case "failed":
        this.log.error(`${tag} failed: ${m.error}`);
        break;
      default:
        break;
    }
  }

  private async report(name: string, run: ActiveRun, outcome: TrainerOutcome): Promise<void> {
    const runDir = run.runDir;
    switch (outcome.kind) {
      case "finished": {
        const choice = await vscode.window.showInformationMessage(finishedText(name, outcome.summary), ...(runDir ? ["Open Run Folder"] : []), "Show Log");
        if (choice === "Open Run Folder" && runDir) await vscode.commands.executeCommand("ssl.openRunFolder", runDir);
        else if (choice === "Show Log") this.log.show(true);
        return;
      }
      case "stopped": {
        const choice = await vscode.window.showInformationMessage(
          stoppedText(name, outcome.summary, run.lastCheckpoint),
          ...(runDir && run.lastCheckpoint ? ["Resume"] : []),
          ...(runDir ? ["Open Run Folder"] : []),
        );
        if (choice === "Resume" && runDir) void this.start(run.experimentFile, { resumeRunDir: runDir });
        else if (choice === "Open Run Folder" && runDir) await vscode.commands.executeCommand("ssl.openRunFolder", runDir);
        return;
      }
      case "failed": {
        const where = outcome.file ? ` (${path.basename(outcome.file)}${outcome.field ? `, field "${outcome.field}"` : ""})` : "";
        const buttons = [...(outcome.file ? ["Open File"] : []), "Open Log"];
        const choice = await vscode.window.showErrorMessage(`SSL: ${name} failed${where}: ${outcome.error}`, ...buttons);
        if (choice === "Open File" && outcome.file) await openAt(outcome.file, outcome.line);
        else if (choice === "Open Log") this.log.show(true);
        return;
      }
      case "crashed": {
        this.log.error(`[${name}] the trainer ${outcome.reason}`);
        const choice = await vscode.window.showErrorMessage(`SSL: the trainer for ${name} ${outcome.reason}`, "Open Log");
        if (choice === "Open Log") this.log.show(true);
        return;
      }
    }
  }
}

function failureReason(o: TrainerOutcome): string | undefined {
  if (o.kind === "failed") return o.error;
  if (o.kind === "crashed") return `the trainer ${o.reason}`;
  return undefined;
}

function samePath(a: string, b: string): boolean {
  const ra = path.resolve(a);
  const rb = path.resolve(b);
  return process.platform === "win32" ? ra.toLowerCase() === rb.toLowerCase() : ra === rb;
}

/** Opens a file with the cursor on a 1-based line (or a character range, when known). */
export async function openAt(file: string, line?: number, offset?: number, length?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  let selection: vscode.Range | undefined;
  if (typeof offset === "number") {
    selection = new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + (length ?? 0)));
  } else if (typeof line === "number" && line >= 1) {
    const pos = new vscode.Position(Math.min(line - 1, doc.lineCount - 1), 0);
    selection = new vscode.Range(pos, pos);
  }
  await vscode.window.showTextDocument(doc, { selection, preview: false });
}
