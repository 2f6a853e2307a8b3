/**
 * `npm run test:e2e [scenario…]`: SSL Studio in a real VS Code (code-server)
 * in headless Chromium. Sets up code-server once (cached in .cache/e2e/),
 * packages the extension, starts code-server on a free loopback port with
 * throwaway dirs and a copy of examples/, runs every scenario in
 * test/e2e/scenarios/ (or the ones named), saves test-results/e2e/<name>.png
 * for each, and shuts down everything it started, also on failure and Ctrl+C.
 *
 * Environment: E2E_CHROMIUM (default /usr/bin/chromium), E2E_VSIX (use this
 * .vsix instead of running `npm run package`), E2E_KEEP=1 (keep the
 * workspace and code-server dirs in /tmp for a look afterwards).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { cleanupAll, installSignalHandlers, isShuttingDown, onCleanup, signalExitCode } from "./lib/cleanup";
import { startCodeServer, type CodeServer } from "./lib/codeServer";
import { ScenarioContext, type Scenario } from "./lib/context";
import { ensureCodeServer } from "./lib/setup";
import { createWorkspace } from "./lib/workspace";
import { Workbench } from "./lib/workbench";

const repoRoot = path.resolve(__dirname, "..", "..");
const resultsDir = path.join(repoRoot, "test-results", "e2e");
const cacheDir = path.join(repoRoot, ".cache", "e2e");
const scenariosDir = path.join(__dirname, "scenarios");
const CHROMIUM = process.env.E2E_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const VIEWPORT = { width: 1400, height: 900 };
const DEFAULT_TIMEOUT_MS = 180_000;

const t0 = Date.now();
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const say = (line: string) => console.log(`[e2e ${secs(Date.now() - t0).padStart(7)}] ${line}`);

async function loadScenarios(only: string[]): Promise<Scenario[]> {
  const files = fs.readdirSync(scenariosDir).filter((f) => f.endsWith(".ts")).sort();
  const all: Scenario[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(scenariosDir, f)).href)) as { default?: Scenario };
    const s = mod.default;
    const expected = f.replace(/\.ts$/, "");
    if (!s || typeof s.run !== "function" || typeof s.name !== "string") throw new Error(`${f}: the default export must be scenario({ name, title, run })`);
    if (s.name !== expected) throw new Error(`${f}: the scenario's name is "${s.name}"; it must be the file name, "${expected}" (the screenshot is named after it)`);
    all.push(s);
  }
  const unknown = only.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no such scenario: ${unknown.join(", ")} (there are: ${all.map((s) => s.name).join(", ")})`);
  return only.length ? all.filter((s) => only.includes(s.name)) : all;
}

function packageVsix(): Promise<string> {
  const given = process.env.E2E_VSIX;
  if (given) return Promise.resolve(path.resolve(given));
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { name: string; version: string };
  const vsix = path.join(repoRoot, `${pkg.name}-${pkg.version}.vsix`);
  const log = path.join(resultsDir, "package.log");
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(log, "w");
    const child = spawn("npm", ["run", "package"], { cwd: repoRoot, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 && fs.existsSync(vsix)) return resolve(vsix);
      const tail = fs.readFileSync(log, "utf8").split("\n").slice(-20).join("\n");
      reject(new Error(`npm run package failed (exit ${code}); ${log} ends:\n${tail}`));
    });
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${secs(ms)}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function openWorkbench(context: BrowserContext, server: CodeServer, workspace: string, consoleLog: string): Promise<{ page: Page; wb: Workbench }> {
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") fs.appendFileSync(consoleLog, `[${new Date().toISOString()}] ${m.type()}: ${m.text()}\n`);
  });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  const wb = new Workbench(page);
  await wb.ready();
  await wb.widenSideBar();
  return { page, wb };
}

interface Result {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const keep = process.env.E2E_KEEP === "1" || args.includes("--keep");
  const only = args.filter((a) => !a.startsWith("--"));
  const scenarios = await loadScenarios(only);
  if (args.includes("--list")) {
    for (const s of scenarios) console.log(`${s.name.padEnd(22)} ${s.title}`);
    return 0;
  }

  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found: apt-get install chromium (looked for ${CHROMIUM}; E2E_CHROMIUM overrides)`);
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  installSignalHandlers(say);

  const timings: Record<string, number> = {};
  let t = Date.now();
  const install = await ensureCodeServer(cacheDir, say);
  timings.setup = Date.now() - t;
  say(install.installed ? `code-server installed in ${secs(timings.setup)}` : `code-server from the cache (${path.relative(repoRoot, install.dir)})`);

  t = Date.now();
  say(process.env.E2E_VSIX ? `using ${process.env.E2E_VSIX}` : "npm run package");
  const vsix = await packageVsix();
  timings.package = Date.now() - t;

  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ssl-studio-e2e-"));
  let failed = false;
  onCleanup("temporary dirs", () => {
    if (keep || failed) say(`kept ${stateDir} (workspace, code-server dirs and logs)`);
    else fs.rmSync(stateDir, { recursive: true, force: true });
  });
  const workspace = createWorkspace(
    repoRoot,
    path.join(stateDir, "workspace"),
    scenarios.map((s) => s.name),
  );

  t = Date.now();
  const server = await startCodeServer({ entry: install.entry, vsix, stateDir, workspace });
  onCleanup("code-server", async () => {
    await server.stop();
    fs.copyFileSync(server.log, path.join(resultsDir, "code-server.log"));
    // VS Code's own logs, among them each extension host's "SSL Studio" output channel.
    const logs = path.join(server.userDataDir, "logs");
    if (fs.existsSync(logs)) fs.cpSync(logs, path.join(resultsDir, "vscode-logs"), { recursive: true });
  });
  say(`code-server ${server.url} (pid ${server.pid}), workspace ${workspace}`);

  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    // The runner's own handlers close the browser and code-server in order.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup("chromium", () => withTimeout(browser.close(), 10_000, "closing Chromium"));
  const context = await browser.newContext({ viewport: VIEWPORT });
  const consoleLog = path.join(resultsDir, "browser-console.log");
  let { page, wb } = await openWorkbench(context, server, workspace, consoleLog);
  timings.start = Date.now() - t;
  say(`workbench loaded (${secs(timings.start)} from starting code-server)`);

  const results: Result[] = [];
  t = Date.now();
  for (const s of scenarios) {
    const started = Date.now();
    const ctx = new ScenarioContext(s.name, page, context, server, workspace, repoRoot, resultsDir, stateDir, (l) => say(`  ${s.name}: ${l}`));
    let error: unknown;
    say(`▶ ${s.name}: ${s.title}`);
    try {
      await withTimeout(wb.reset(), 60_000, "resetting the workbench");
      await withTimeout(s.run(ctx), s.timeoutMs ?? DEFAULT_TIMEOUT_MS, `scenario ${s.name}`);
    } catch (e) {
      error = e;
    }
    if (isShuttingDown()) break;
    // One <name>.png per scenario; a failure after the scenario's own screenshot adds <name>.failed.png.
    if (!ctx.tookScreenshot) await ctx.screenshot().catch((e) => say(`  (no screenshot: ${(e as Error).message.split("\n")[0]})`));
    else if (error) await wb.screenshot(path.join(resultsDir, `${s.name}.failed.png`)).catch(() => undefined);
    const leftovers = ctx.trainerPids();
    if (leftovers.length) {
      say(`  ${s.name} left trainer process(es) ${leftovers.join(", ")} running: killing them`);
      for (const pid of leftovers) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone meanwhile
        }
      }
    }
    const ms = Date.now() - started;
    if (error) {
      failed = true;
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      fs.writeFileSync(path.join(resultsDir, `${s.name}.error.txt`), text + "\n");
      results.push({ name: s.name, ok: false, ms, error: error instanceof Error ? error.message : String(error) });
      say(`✘ ${s.name} failed after ${secs(ms)}:\n${indent(error instanceof Error ? error.message : String(error))}`);
      // A fresh window for the next scenario: whatever the failure left open goes away.
      await page.close().catch(() => undefined);
      ({ page, wb } = await openWorkbench(context, server, workspace, consoleLog));
    } else {
      results.push({ name: s.name, ok: true, ms });
      say(`✔ ${s.name} (${secs(ms)})`);
    }
  }
  timings.scenarios = Date.now() - t;
  if (isShuttingDown()) return signalExitCode()!;

  const passed = results.filter((r) => r.ok).length;
  console.log(`\nSSL Studio e2e: ${passed}/${results.length} scenarios passed`);
  for (const r of results) console.log(`  ${r.ok ? "✔" : "✘"} ${r.name.padEnd(22)} ${secs(r.ms).padStart(8)}${r.ok ? "" : `  ${r.error?.split("\n")[0]}`}`);
  console.log(
    `  setup ${secs(timings.setup!)}, package ${secs(timings.package!)}, start ${secs(timings.start!)}, scenarios ${secs(timings.scenarios)}; total ${secs(Date.now() - t0)}`,
  );
  console.log(`  screenshots: ${path.relative(repoRoot, resultsDir)}/<scenario>.png`);
  return passed === results.length ? 0 : 1;
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}

let code = 1;
main()
  .then((c) => (code = c))
  .catch((e: unknown) => {
    if (!isShuttingDown()) console.error(`\ne2e: ${e instanceof Error ? e.message : String(e)}`);
    code = 1;
  })
  .finally(async () => {
    await cleanupAll(say);
    process.exit(signalExitCode() ?? code);
  });
