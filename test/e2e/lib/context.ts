/**
 * What a scenario gets: the workbench page and its helpers, the test
 * workspace on disk, and a few file and process helpers. A scenario is one
 * file in test/e2e/scenarios/ whose default export is `scenario({...})`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import type { CodeServer } from "./codeServer";
import { writeExperiment } from "./workspace";
import { Workbench } from "./workbench";

export interface Scenario {
  /** The file name without .ts; also the screenshot's name. */
  name: string;
  /** One line: what a person would check by hand. */
  title: string;
  /** Default 180 s. */
  timeoutMs?: number;
  run(ctx: ScenarioContext): Promise<void>;
}

export function scenario(s: Scenario): Scenario {
  return s;
}

export interface Experiment {
  /** Absolute path of the *.ssl.json file. */
  file: string;
  /** Relative to the workspace, as Quick Open finds it. */
  relative: string;
  /** The experiment's name: the tree's label and the runs/ sub-folder. */
  name: string;
  /** runs/<name>/ next to the file, where its run folders go. */
  runsDir: string;
}

export class ScenarioContext {
  readonly wb: Workbench;
  private shot = false;

  constructor(
    readonly name: string,
    readonly page: Page,
    readonly browserContext: BrowserContext,
    readonly server: CodeServer,
    /** Absolute path of the test workspace (a copy of examples/). */
    readonly workspace: string,
    readonly repoRoot: string,
    readonly resultsDir: string,
    /** Scratch space outside the workspace for this run of the suite. */
    readonly stateDir: string,
    readonly log: (line: string) => void,
  ) {
    this.wb = new Workbench(page);
  }

  /** The screenshot named after the scenario; call it at the moment worth seeing (the runner takes one at the end otherwise). */
  async screenshot(o: { keepMouse?: boolean; page?: Page } = {}): Promise<string> {
    const file = path.join(this.resultsDir, `${this.name}.png`);
    await (o.page ? new Workbench(o.page) : this.wb).screenshot(file, o);
    this.shot = true;
    return file;
  }

  /**
   * The screenshot in the suite's dark theme (`<name>.png`) and again in VS
   * Code's light theme (`<name>-light.png`), for panels that must look native
   * in both; the dark theme is back afterwards.
   */
  async screenshotBothThemes(o: { keepMouse?: boolean } = {}): Promise<void> {
    await this.screenshot(o);
    await this.wb.setColorTheme("Light Modern", true);
    try {
      await this.page.waitForTimeout(800); // webviews repaint with the new colour variables
      await this.wb.screenshot(path.join(this.resultsDir, `${this.name}-light.png`), o);
    } finally {
      await this.wb.setColorTheme("Dark Modern", false);
    }
  }

  get tookScreenshot(): boolean {
    return this.shot;
  }

  /**
   * This scenario's folder in the workspace, `<workspace>/<scenario name>/`.
   * The runner creates it before code-server starts: VS Code's file watcher
   * can miss a file written into a folder created the same instant, and the
   * SSL tree learns about new experiment files from that watcher.
   */
  get folder(): string {
    return path.join(this.workspace, this.name);
  }

  /** Writes `<scenario folder>/<name>.ssl.json`, a tiny experiment (seconds per run; see TINY in workspace.ts). */
  writeExperiment(name: string, overrides: Record<string, unknown> = {}): Experiment {
    const file = writeExperiment(this.folder, name, overrides);
    return this.experiment(path.relative(this.workspace, file));
  }

  /** Writes a file verbatim into the scenario's folder (for broken configs); returns its path relative to the workspace. */
  writeFile(name: string, text: string): string {
    fs.writeFileSync(path.join(this.folder, name), text);
    return path.relative(this.workspace, path.join(this.folder, name));
  }

  /** An experiment file's paths, from its path relative to the workspace (the name is the file name's). */
  experiment(relative: string): Experiment {
    const file = path.join(this.workspace, relative);
    const name = path.basename(file).replace(/\.ssl\.json$/, "");
    return { file, relative, name, runsDir: path.join(path.dirname(file), "runs", name) };
  }

  /** Run folders of an experiment, oldest first (run ids sort by time). */
  runFolders(e: Experiment): string[] {
    if (!fs.existsSync(e.runsDir)) return [];
    return fs
      .readdirSync(e.runsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(e.runsDir, d.name))
      .sort();
  }

  readJson<T = Record<string, unknown>>(file: string): T {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  }

  /** Checkpoint folders of a run whose meta.json (written last) reads, in step order. */
  completeCheckpoints(runDir: string): string[] {
    const dir = path.join(runDir, "checkpoints");
    if (!fs.existsSync(dir)) return [];
    const step = (n: string) => {
      try {
        return Number(this.readJson<{ step: number }>(path.join(dir, n, "meta.json")).step);
      } catch {
        return NaN;
      }
    };
    return fs
      .readdirSync(dir)
      .filter((n) => !n.startsWith(".") && Number.isFinite(step(n)))
      .sort((a, b) => step(a) - step(b))
      .map((n) => path.join(dir, n));
  }

  /** Pids of trainer processes started by this suite's code-server (found by command line, as `pgrep -f` would). */
  trainerPids(): number[] {
    const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
    return out
      .split("\n")
      .filter((l) => l.includes(this.server.extensionsDir) && /dist\/trainer\.js/.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[0]))
      .filter((n) => Number.isInteger(n) && n > 0);
  }

  async sleep(ms: number): Promise<void> {
    await this.page.waitForTimeout(ms);
  }
}
