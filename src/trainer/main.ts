/**
 * The trainer child process forked by the extension: it receives one `start`
 * message, reports over IPC with the protocol's messages, and exits. It runs
 * TensorFlow.js so that the editor never does.
 */
import type { HostToTrainer, TrainerToHost } from "../protocol/trainerMessages";
import { ConfigError } from "../core/config/load";
import { runPretraining } from "./pretrain";

function send(message: TrainerToHost): Promise<void> {
  return new Promise((resolve) => (process.send && process.connected ? process.send(message, () => resolve()) : resolve()));
}

let stopRequested = false;
// Closing or reloading the editor window drops the IPC channel; stop cleanly rather than train on unreachable.
process.on("disconnect", () => (stopRequested = true));
process.on("SIGTERM", () => (stopRequested = true));
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}

process.on("message", (message: HostToTrainer) => {
  if (message.type === "stop") {
    stopRequested = true;
    return;
  }
  if (message.type !== "start") return;
  runPretraining(
    { experimentFile: message.experimentFile, resumeRunDir: message.resumeRunDir, backend: message.backend as never, shouldStop: () => stopRequested },
    (m) => void send(m),
  )
    .then((summary) => send({ type: summary.status === "stopped" ? "stopped" : "finished", summary }))
    .catch((error: unknown) => {
      const e = error as Error & { runDir?: string };
      const issue = error instanceof ConfigError ? error.issues[0] : undefined;
      return send({ type: "failed", error: e.message, file: error instanceof ConfigError ? error.file : undefined, field: issue?.field, line: issue?.line, runDir: e.runDir });
    })
    .finally(() => process.disconnect?.());
});

if (!process.send) {
  console.error("dist/trainer.js is started by the SSL Studio extension; use `ssl-studio pretrain <file.ssl.json>` from a terminal.");
  process.exit(2);
}
