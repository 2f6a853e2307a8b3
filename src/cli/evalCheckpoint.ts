/**
 * `ssl-studio eval`: the evaluation protocols on saved checkpoints, with the
 * config their run recorded (so the model and data are those it trained on).
 * With several checkpoints and both the rotation proxy and the linear probe,
 * it reports how well the label-free proxy ranks them (Spearman's rho; Reed
 * et al. 2021 found 0.97 on CIFAR-10).
 */
import * as path from "node:path";
import type { BackendName } from "../core/config/schema";
import { selectBackend } from "../core/backend/select";
import { loadDataset } from "../core/data/load";
import { disposeModel } from "../core/models/build";
import { describeReport, evaluateModel } from "../core/eval/suite";
import { spearman } from "../core/eval/spearman";
import type { EvalReport, Protocol } from "../protocol/runFiles";
import { loadCheckpointModel, recordedRunConfig } from "../trainer/checkpointModel";
import { resolveCheckpoint } from "../trainer/initFromCheckpoint";

export interface EvalOptions {
  /** Checkpoint folders or run folders (their last checkpoint). */
  targets: string[];
  protocols: Protocol[];
  backend?: BackendName;
}

export interface CheckpointEval {
  checkpoint: string;
  report: EvalReport;
}

export async function evalCheckpoints(o: EvalOptions, log: (line: string) => void): Promise<{ results: CheckpointEval[]; spearman?: number }> {
  const checkpoints = o.targets.map((t) => resolveCheckpoint(path.resolve(t)));
  const first = recordedRunConfig(checkpoints[0]!);
  const choice = await selectBackend(o.backend ?? first.backend);
  log(`backend ${choice.backend}`);
  const results: CheckpointEval[] = [];
  for (const checkpoint of checkpoints) {
    const config = recordedRunConfig(checkpoint);
    // Recorded dataset paths are absolute, so the folder passed here does not matter.
    const data = await loadDataset(config, path.dirname(checkpoint));
    const model = loadCheckpointModel(checkpoint, config, data.train.channels);
    try {
      const started = Date.now();
      const report = await evaluateModel(model, data, config, o.protocols, (p) => log(`${checkpoint}: ${p}…`));
      log(`${checkpoint} (${config.method}, ${((Date.now() - started) / 1000).toFixed(1)} s): ${describeReport(report)}`);
      results.push({ checkpoint, report });
    } finally {
      disposeModel(model);
    }
  }
  const ranked = results.filter((r) => r.report.rotation !== undefined && r.report.linear?.length);
  if (ranked.length < 3) return { results };
  const full = (r: CheckpointEval) => r.report.linear!.reduce((a, b) => (b.fraction > a.fraction ? b : a)).accuracy;
  const rho = spearman(ranked.map((r) => r.report.rotation!), ranked.map(full));
  log(`rotation proxy vs linear accuracy over ${ranked.length} checkpoints: Spearman rho ${rho.toFixed(3)}`);
  return { results, spearman: rho };
}
