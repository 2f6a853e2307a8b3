/**
 * What the Checkpoint Browser's buttons do. Evaluating, exporting and the
 * neighbours gallery are jobs for the checkpoint worker, each with a
 * progress notification and its state in the panel; resume goes through the
 * RunController like "SSL: Resume Run"; a new experiment is a file written
 * beside the source; delete asks first. Every action ends with the table
 * read again from disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { BROWSER_PROTOCOLS, type BrowserAction, type BrowserProtocol, type CheckpointJob, type CheckpointRow, type JobResult } from "../../protocol/checkpointBrowser";
import { openRunFolder } from "../commands/openRunFolder";
import { formatBytes, formatDuration, formatPercent } from "../format";
import type { Services } from "../services";
import { hptExperimentText, hptFile, type Trainable } from "./hptExperiment";
import type { ActionMessage, CheckpointPanel } from "./panel";
import { laterCheckpoints } from "./rows";
import type { CheckpointWorkerClient } from "./workerClient";

const PROTOCOL_TITLES: Record<BrowserProtocol, string> = { knn: "kNN", linear: "linear probe", rotation: "rotation probe" };
/** Neighbours gallery: this many test images, each with this many training images. */
const QUERIES = 4;
const NEIGHBOURS = 5;

/** Where exports go: beside the checkpoints, named after the one they come from. */
function exportDir(row: CheckpointRow, kind: "tfjs" | "embeddings"): string {
  return path.join(row.runDir, "exports", `epoch-${row.name}-${kind}`);
}

/** Worker jobs take from a fraction of a second to minutes. */
const took = (seconds: number) => (seconds < 60 ? `${seconds.toFixed(1)} s` : formatDuration(seconds));

/** One line for what an evaluation measured. */
function evaluationText(protocol: BrowserProtocol, result: Extract<JobResult, { kind: "evaluate" }>): string {
  const r = result.report;
  if (protocol === "knn" && r.knn !== undefined) return `kNN ${formatPercent(r.knn)}`;
  if (protocol === "rotation" && r.rotation !== undefined) return `rotation probe ${formatPercent(r.rotation)}`;
  if (protocol === "linear" && r.linear?.length) return `linear ${r.linear.map((l) => `${+(l.fraction * 100).toFixed(2)}% ${formatPercent(l.accuracy)}`).join(" / ")}`;
  return `${PROTOCOL_TITLES[protocol]}: nothing measured`;
}

export class CheckpointActions {
  constructor(
    private readonly s: Services,
    private readonly worker: () => CheckpointWorkerClient | { missing: string },
  ) {}

  act(m: ActionMessage, row: CheckpointRow, panel: CheckpointPanel): void {
    const run = async () => {
      switch (m.type) {
        case "evaluate":
          if (!(BROWSER_PROTOCOLS as readonly string[]).includes(m.protocol)) throw new Error(`unknown protocol ${JSON.stringify(m.protocol)}`);
          return this.evaluate(row, m.protocol, panel);
        case "exportModel":
          return this.exportModel(row, panel);
        case "exportEmbeddings":
          return this.exportEmbeddings(row, m.count, panel);
        case "neighbours":
          return this.neighbours(row, panel);
        case "resume":
          return this.resume(row, panel);
        case "newExperiment":
          return this.newExperiment(row, m.trainable, panel);
        case "reveal":
          return openRunFolder(this.s, row.dir);
        case "delete":
          return this.delete(row, panel);
      }
    };
    run().catch((e: unknown) => {
      this.s.log.error(`checkpoint browser: ${m.type} on ${row.dir}: ${(e as Error).stack ?? e}`);
      panel.job({ action: m.type, checkpoint: row.dir, state: "failed", message: (e as Error).message });
    });
  }

  /**
   * Runs a worker job with a progress notification and its state in the
   * panel; resolves with the result, or undefined once the failure is shown.
   */
  private async job(action: BrowserAction, row: CheckpointRow, job: CheckpointJob, title: string, panel: CheckpointPanel): Promise<{ result: JobResult; seconds: number } | undefined> {
    const worker = this.worker();
    if ("missing" in worker) {
      panel.job({ action, checkpoint: row.dir, state: "failed", message: worker.missing });
      void vscode.window.showErrorMessage(`SSL: ${worker.missing}`);
      return undefined;
    }
    const what = `${title} · ${row.runId} ${row.label}`;
    panel.job({ action, checkpoint: row.dir, state: "running", message: `${what}: starting…` });
    const reply = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `SSL: ${what}` }, (progress) =>
      worker.run(job, (message) => {
        progress.report({ message });
        panel.job({ action, checkpoint: row.dir, state: "running", message: `${what}: ${message}` });
      }),
    );
    if (reply.type === "failed") {
      this.s.log.warn(`checkpoint browser: ${what} failed: ${reply.error}`);
      panel.job({ action, checkpoint: row.dir, state: "failed", message: `${what} failed: ${reply.error}` });
      void vscode.window.showErrorMessage(`SSL: ${what} failed: ${reply.error}`);
      return undefined;
    }
    this.s.log.info(`checkpoint browser: ${what} done in ${reply.seconds.toFixed(1)} s`);
    return reply;
  }

  private async evaluate(row: CheckpointRow, protocol: BrowserProtocol, panel: CheckpointPanel): Promise<void> {
    const done = await this.job("evaluate", row, { kind: "evaluate", checkpoint: row.dir, protocols: [protocol] }, `evaluating (${PROTOCOL_TITLES[protocol]})`, panel);
    if (!done || done.result.kind !== "evaluate") return;
    panel.refresh();
    this.s.tree.refresh(); // the checkpoint's line in the tree shows the new result
    panel.job({ action: "evaluate", checkpoint: row.dir, state: "done", message: `${row.runId} ${row.label}: ${evaluationText(protocol, done.result)} (${took(done.seconds)})` });
  }

  private async exportModel(row: CheckpointRow, panel: CheckpointPanel): Promise<void> {
    if (row.exportProblem) {
      panel.job({ action: "exportModel", checkpoint: row.dir, state: "failed", message: row.exportProblem });
      void vscode.window.showWarningMessage(`SSL: ${row.exportProblem}`);
      return;
    }
    const done = await this.job("exportModel", row, { kind: "exportModel", checkpoint: row.dir, outDir: exportDir(row, "tfjs") }, "exporting a TensorFlow.js model", panel);
    if (done?.result.kind === "exportModel") this.exported("exportModel", row, panel, done.result.outDir, done.result.files, "TensorFlow.js model (tf.loadLayersModel)");
  }

  private async exportEmbeddings(row: CheckpointRow, count: number | undefined, panel: CheckpointPanel): Promise<void> {
    const cap = Number.isInteger(count) && count! > 0 ? count : undefined;
    const done = await this.job("exportEmbeddings", row, { kind: "exportEmbeddings", checkpoint: row.dir, outDir: exportDir(row, "embeddings"), count: cap }, "exporting embeddings", panel);
    if (done?.result.kind === "exportEmbeddings") {
      this.exported("exportEmbeddings", row, panel, done.result.outDir, done.result.files, `${done.result.rows} embeddings of ${done.result.dim} dimensions for the TensorBoard projector`);
    }
  }

  private exported(action: BrowserAction, row: CheckpointRow, panel: CheckpointPanel, outDir: string, files: { name: string; bytes: number }[], what: string): void {
    const where = vscode.workspace.asRelativePath(outDir);
    const text = `${what}: ${files.map((f) => f.name).join(" + ")} (${formatBytes(files.reduce((n, f) => n + f.bytes, 0))}) in ${where}`;
    panel.job({ action, checkpoint: row.dir, state: "done", message: text });
    void vscode.window.showInformationMessage(`SSL: ${text}`, "Reveal").then((pick) => pick && openRunFolder(this.s, outDir));
  }

  private async neighbours(row: CheckpointRow, panel: CheckpointPanel): Promise<void> {
    const done = await this.job("neighbours", row, { kind: "neighbours", checkpoint: row.dir, queries: QUERIES, k: NEIGHBOURS }, "finding nearest neighbours", panel);
    if (done?.result.kind !== "neighbours") return;
    panel.showGallery(done.result.gallery);
    panel.job({ action: "neighbours", checkpoint: row.dir, state: "done", message: `${row.runId} ${row.label}: ${NEIGHBOURS} nearest training images of ${done.result.gallery.queries.length} test images (${took(done.seconds)})` });
  }

  private async resume(row: CheckpointRow, panel: CheckpointPanel): Promise<void> {
    const file = panel.experimentFile;
    const fail = (message: string) => {
      panel.job({ action: "resume", checkpoint: row.dir, state: "failed", message });
      void vscode.window.showInformationMessage(`SSL: ${message}`);
    };
    if (!row.resumable) return fail(`${row.runId} cannot resume from ${row.label}: the run is running, or it has no epochs left after it.`);
    if (!file) return fail(`the experiment file of ${row.runId} is not in this workspace; open its folder to resume it.`);
    const later = laterCheckpoints(panel.rows, row);
    if (later.length) {
      const names = later.map((r) => r.label).join(", ");
      const pick = await vscode.window.showWarningMessage(
        `Resume ${row.runId} from ${row.label}? Its ${later.length} later checkpoint${later.length === 1 ? "" : "s"} (${names}) and the metrics logged after step ${row.step} are discarded.`,
        { modal: true },
        "Resume",
      );
      if (pick !== "Resume") return;
    }
    panel.job({ action: "resume", checkpoint: row.dir, state: "running", message: `${row.runId} resuming from ${row.label}…` });
    this.s.tree.refresh();
    await this.s.controller.start(file, { resumeRunDir: row.dir });
    this.s.tree.refresh();
    panel.refresh();
    panel.job({ action: "resume", checkpoint: row.dir, state: "done", message: `${row.runId}: the run resumed from ${row.label} has ended (see its notification).` });
  }

  private async newExperiment(row: CheckpointRow, trainable: Trainable, panel: CheckpointPanel): Promise<void> {
    const source = panel.experimentFile;
    if (!source || !fs.existsSync(source)) {
      panel.job({ action: "newExperiment", checkpoint: row.dir, state: "failed", message: `the experiment file of ${row.runId} is not in this workspace.` });
      return;
    }
    const file = hptFile(source, fs.existsSync);
    fs.writeFileSync(file, hptExperimentText(fs.readFileSync(source, "utf8"), file, row.dir, trainable === "batchnorm" ? "batchnorm" : "all"));
    this.s.tree.refresh();
    panel.job({
      action: "newExperiment",
      checkpoint: row.dir,
      state: "done",
      message: `${vscode.workspace.asRelativePath(file)} starts from ${row.runId} ${row.label}, training ${trainable === "batchnorm" ? "only BatchNorm" : "all weights"}.`,
    });
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  }

  private async delete(row: CheckpointRow, panel: CheckpointPanel): Promise<void> {
    const pick = await vscode.window.showWarningMessage(
      `Delete checkpoint ${row.label} of ${row.runId} (${formatBytes(row.bytes)})? Its folder is removed from disk; this cannot be undone.`,
      { modal: true },
      "Delete",
    );
    if (pick !== "Delete") return;
    // Renamed first: a dot-folder is no checkpoint to any reader, so nobody sees it half deleted.
    const doomed = path.join(path.dirname(row.dir), `.deleting-${row.name}-${process.pid}`);
    fs.renameSync(row.dir, doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
    this.s.log.info(`checkpoint browser: deleted ${row.dir}`);
    this.s.tree.refresh();
    panel.refresh();
    panel.job({ action: "delete", checkpoint: row.dir, state: "done", message: `Deleted ${row.label} of ${row.runId}.` });
  }
}
