/**
 * A mocha-free extension test runner. VS Code loads this bundle (esbuild,
 * `vscode` external) in the extension host of a window opened with
 * extensionDevelopmentPath + extensionTestsPath and calls run(); a throw is
 * a failing exit code. Results also go to results.json beside the bundle,
 * which the e2e runner reads (config.json beside it says what to test).
 * When run() returns, the extension host exits and its views go blank, so
 * the runner's screenshot is taken first: results.json says `done`, and run()
 * waits (at most 15 s) for the runner to write `screenshot-taken`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tests, type HostTestConfig } from "./tests";

export interface HostTestResults {
  done: boolean;
  results: HostTestResult[];
}

export interface HostTestResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

const TEST_TIMEOUT_MS = 90_000;

/** Atomically (temp file + rename): the runner polls the file and must never read half of it. */
function writeResults(done: boolean, results: unknown[]): void {
  const file = path.join(__dirname, "results.json");
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ done, results }, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export async function run(): Promise<void> {
  const config = JSON.parse(fs.readFileSync(path.join(__dirname, "config.json"), "utf8")) as HostTestConfig;
  const results: HostTestResult[] = [];
  for (const t of tests) {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        t.run(config),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS))),
      ]);
      results.push({ name: t.name, ok: true, ms: Date.now() - t0 });
    } catch (e) {
      results.push({ name: t.name, ok: false, ms: Date.now() - t0, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    } finally {
      clearTimeout(timer);
    }
    const r = results.at(-1)!;
    console.log(`exthost: ${r.ok ? "ok" : "FAIL"} ${r.name} (${r.ms} ms)${r.error ? `\n${r.error}` : ""}`);
    writeResults(false, results);
  }
  writeResults(true, results);
  for (let i = 0; i < 60 && !fs.existsSync(path.join(__dirname, "screenshot-taken")); i++) await new Promise((r) => setTimeout(r, 250));
  const failed = results.filter((r) => !r.ok).length;
  if (failed) throw new Error(`${failed} of ${results.length} extension-host tests failed`);
}
