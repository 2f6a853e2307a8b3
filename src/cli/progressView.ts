/**
 * How the CLI shows trainer messages: a redrawn progress bar on a TTY, plain
 * lines (at most one progress line every few seconds) when piped to a file or CI log.
 */
import type { TrainerToHost } from "../protocol/trainerMessages";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

type Progress = Extract<TrainerToHost, { type: "progress" }>;

/** A bar and percentage for a fraction done, e.g. "██████░░…  25%". */
export function progressBar(frac: number, barWidth = 24): string {
  const filled = Math.round(frac * barWidth);
  return `${"█".repeat(filled)}${"░".repeat(barWidth - filled)} ${(frac * 100).toFixed(0).padStart(3)}%`;
}

export function progressLine(p: Progress, epochs: number, barWidth = 24): string {
  const frac = p.totalSteps > 0 ? p.step / p.totalSteps : 0;
  return (
    `${progressBar(frac, barWidth)} epoch ${p.epoch}/${epochs} step ${p.step}/${p.totalSteps} ` +
    `loss ${p.loss.toFixed(4)} lr ${p.lr.toPrecision(3)} ${p.imagesPerSec.toFixed(1)} img/s ETA ${formatDuration(p.etaSeconds)}`
  );
}

export class ProgressView {
  private epochs = 0;
  private barShown = false;
  private lastPlain = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty = out.isTTY === true,
    private readonly plainEveryMs = 5000,
  ) {}

  line(text: string): void {
    if (this.barShown) this.out.write("\r\x1b[2K");
    this.barShown = false;
    this.out.write(text + "\n");
  }

  /** Redrawn in place on a TTY; on a pipe, a plain line every few seconds and the last one, which stays. */
  progress(text: string, last: boolean): void {
    if (this.tty) {
      this.out.write(`\r\x1b[2K${text}${last ? "\n" : ""}`);
      this.barShown = !last;
    } else if (last || Date.now() - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = Date.now();
      this.line(text);
    }
  }

  show(message: TrainerToHost): void {
    switch (message.type) {
      case "log":
        this.line(message.level === "info" ? message.message : `${message.level}: ${message.message}`);
        break;
      case "runStarted":
        this.epochs = message.epochs;
        this.line(`run folder: ${message.runDir}`);
        break;
      case "progress":
        // On a TTY the bar stays open for the log lines that follow the last step.
        this.progress(progressLine(message, this.epochs), !this.tty && message.step === message.totalSteps);
        break;
      default:
        // eval, checkpoint, finished… are also run events and arrive as log lines.
        break;
    }
  }
}
