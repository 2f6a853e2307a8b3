/**
 * `ssl-studio doctor`: which backends load here, why the others do not and
 * how to fix that, and whether each loadable backend has every kernel (with
 * gradients) that our models need, found by a real forward and backward pass.
 */
import * as tf from "@tensorflow/tfjs-core";
import { AUTO_ORDER, tryBackend } from "../core/backend/select";
import { buildModel, disposeModel } from "../core/models/build";
import { probeGradients } from "../trainer/probe";
import { syntheticDataset } from "./syntheticData";
import { experimentFromJson } from "./experimentFromJson";

export interface DoctorLine {
  backend: string;
  loads: boolean;
  detail: string;
  fix?: string;
  /** Model → "ok" or the error of its training probe. */
  training: Record<string, string>;
}

export async function doctor(): Promise<DoctorLine[]> {
  const lines: DoctorLine[] = [];
  const data = syntheticDataset(2, 16, 3);
  for (const backend of AUTO_ORDER) {
    const attempt = await tryBackend(backend);
    const line: DoctorLine = { backend, loads: attempt.ok, detail: attempt.detail, fix: attempt.fix, training: {} };
    if (attempt.ok) {
      for (const backbone of ["convnet", "resnet18"] as const) {
        const config = experimentFromJson({ imageSize: 16, model: { backbone, width: 0.125, projectorHidden: 8, projectorOut: 4 } }, "doctor");
        const model = buildModel(config, 3);
        try {
          probeGradients(model, data, config, backend);
          line.training[`simclr + ${backbone}`] = "ok";
        } catch (error) {
          line.training[`simclr + ${backbone}`] = (error as Error).message;
        } finally {
          disposeModel(model);
        }
      }
    }
    lines.push(line);
  }
  return lines;
}

export function formatDoctor(lines: DoctorLine[]): string {
  const out: string[] = [`SSL Studio environment (Node ${process.version}, tfjs-core ${tf.version_core}, ${process.platform}-${process.arch})`, ""];
  const chosen = lines.find((l) => l.loads && Object.values(l.training).every((t) => t === "ok"));
  for (const l of lines) {
    out.push(`${l.loads ? "✔" : "✘"} ${l.backend.padEnd(15)} ${l.detail}`);
    for (const [what, result] of Object.entries(l.training)) out.push(`    ${result === "ok" ? "✔" : "✘"} trains ${what}${result === "ok" ? "" : `: ${result}`}`);
    if (!l.loads && l.fix) out.push(`    fix: ${l.fix}`);
  }
  out.push("", chosen ? `--backend auto picks: ${chosen.backend}` : "No backend can train here.");
  return out.join("\n");
}
