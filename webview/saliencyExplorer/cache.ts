/**
 * The experiment's SaliencyCut cache: entries, stale ones (another version or
 * other settings), missing and failed training images, disk use, the last
 * run's hits and misses; "Build cache" with its progress bar and Cancel.
 */
import type { BuildProgressInfo, HostToPanel, PanelBuild, PanelStats, PanelToHost } from "../../src/protocol/saliencyExplorer";
import { h } from "../augmentPreview/dom";
import { formatBytes, formatEta, percent } from "./format";

type Button = HTMLElement & { disabled: boolean };
type Bar = HTMLElement & { value?: number; max: number; indeterminate: boolean };

export class CachePanel {
  readonly el = h("section", { class: "cache", "data-testid": "cache", hidden: true });
  private readonly rows = h("dl", { class: "stats", "data-testid": "stats" });
  private readonly note = h("p", { class: "hint", "data-testid": "cache-note" });
  private readonly build = h("vscode-button", { "data-testid": "build-cache", title: "Compute SaliencyCut for every training image not cached yet (resumable)" }, "Build cache") as Button;
  private readonly cancel = h("vscode-button", { secondary: true, "data-testid": "cancel-build", hidden: true, title: "Stop: finished images stay cached" }, "Cancel") as Button;
  private readonly refresh = h("vscode-button", { secondary: true, "data-testid": "refresh-stats", title: "Read the cache again" }, "Refresh") as Button;
  private readonly bar = h("vscode-progress-bar", { "data-testid": "build-progress", hidden: true }) as Bar;
  private readonly progressText = h("p", { class: "progress-text", "data-testid": "build-text" });
  private buildState: PanelBuild["state"] = "idle";

  constructor(send: (m: PanelToHost) => void) {
    this.build.addEventListener("click", () => !this.build.disabled && send({ type: "buildCache" }));
    this.cancel.addEventListener("click", () => send({ type: "cancelBuild" }));
    this.refresh.addEventListener("click", () => send({ type: "refreshStats" }));
    this.el.append(h("h2", {}, "SaliencyCut cache"), this.rows, this.note, h("div", { class: "buttons" }, this.build, this.cancel, this.refresh), this.bar, this.progressText);
  }

  /** Shown only with an experiment. */
  setVisible(on: boolean): void {
    this.el.hidden = !on;
  }

  stats(m: PanelStats): void {
    this.el.dataset.loading = String(m.loading);
    this.el.classList.toggle("loading", m.loading);
    if (m.error) {
      this.rows.replaceChildren();
      this.note.textContent = m.error;
      delete this.el.dataset.entries;
      return;
    }
    const s = m.stats;
    if (!s) return;
    const d = this.el.dataset;
    d.entries = String(s.entries);
    d.current = String(s.current);
    d.cached = String(s.cached);
    d.missing = String(s.missing);
    d.failed = String(s.failedCount);
    d.images = String(s.images);
    const row = (key: string, label: string, value: string, title?: string) => [h("dt", { title }, label), h("dd", { "data-testid": `stat-${key}`, title }, value)];
    const stale = s.staleVersion + s.staleParams;
    const last = m.lastRun;
    this.rows.replaceChildren(
      ...row("entries", "entries", `${s.entries}${s.entries !== s.current ? ` (${s.current} current)` : ""}`, "Entry files in the cache folder; current: made with the experiment's settings and this SaliencyCut version"),
      ...row("stale", "stale", `${stale}${stale ? ` (${s.staleVersion} version, ${s.staleParams} settings)` : ""}`, "Entries of another SaliencyCut version or made with other settings: training ignores them"),
      ...row("cached", "training images", `${s.cached} of ${s.images} cached (${percent(s.cached, s.images)})`),
      ...row("missing", "missing", String(s.missing), "Training images without a current entry: training stops on them unless saliency.cache.onMiss is compute"),
      ...row("failed", "failed", String(s.failedCount), "Images SaliencyCut failed on in the last build (tried again by the next)"),
      ...row("disk", "disk use", formatBytes(s.diskBytes), s.dir),
      ...row(
        "last-run",
        "last run",
        last ? `${last.hits} hits, ${last.misses} misses (${percent(last.hits, last.hits + last.misses)} hit rate) · ${last.runId}, step ${last.step}` : "no run looked anything up yet",
        "Cache lookups of the saliencyCut op in the newest run that used it (counts of its last attempt)",
      ),
    );
    const notes: string[] = [];
    if (s.failed.length) notes.push(...s.failed.map((f) => `failed: #${f.index}${f.file ? ` ${f.file.split(/[\\/]/).pop()}` : ""}: ${f.reason}`));
    if (s.unreadable) notes.push(`${s.unreadable} unreadable entr${s.unreadable === 1 ? "y" : "ies"} (\`ssl-studio cache verify --fix\` removes them)`);
    for (const r of s.repairs) notes.push(`manifest: ${r}`);
    this.note.textContent = notes.join("\n");
    this.note.title = s.dir;
  }

  buildUpdate(m: Extract<HostToPanel, { type: "build" }>): void {
    this.buildState = m.state;
    this.el.dataset.buildState = m.state;
    const running = m.state === "running";
    this.build.disabled = running;
    this.cancel.hidden = !running;
    this.bar.hidden = !running;
    if (m.state === "running") {
      const p = m.progress;
      if (p) this.progress(p);
      else {
        this.bar.indeterminate = true;
        this.progressText.textContent = "starting…";
      }
    } else if (m.state === "done") {
      const s = m.summary;
      this.progressText.textContent = s.cancelled
        ? `Cancelled: ${s.cachedBefore + s.computed} of ${s.total} cached. Build again to resume.`
        : `Built: ${s.computed} computed, ${s.cachedBefore} already cached${s.failedCount ? `, ${s.failedCount} failed` : ""} in ${s.seconds.toFixed(1)} s.`;
    } else if (m.state === "failed") {
      this.progressText.textContent = `The build failed: ${m.error}`;
    } else {
      this.progressText.textContent = "";
    }
  }

  private progress(p: BuildProgressInfo): void {
    this.bar.indeterminate = false;
    this.bar.max = 100;
    const f = p.total > 0 ? p.done / p.total : 1;
    this.bar.value = Math.round(p.phase === "decoding" ? f * 10 : 10 + f * 90);
    const eta = formatEta(p.etaSeconds);
    this.progressText.textContent =
      p.phase === "decoding" ? `decoding images ${p.done}/${p.total}` : `${p.done}/${p.total} images${p.failed ? `, ${p.failed} failed` : ""}${eta && p.done < p.total ? ` · ETA ${eta}` : ""}`;
  }

  get building(): boolean {
    return this.buildState === "running";
  }
}
