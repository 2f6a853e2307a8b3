/**
 * The extension-host tests (test/e2e/exthost/): a second window opened with
 * extensionDevelopmentPath (the repository) and extensionTestsPath (their
 * bundle). code-server refuses both flags on its command line, but the web
 * workbench takes them from the URL's `payload`, as @vscode/test-web does,
 * and reports the exit code through window.codeAutomationExit.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import type { HostTestResults } from "../exthost/index";
import { scenario } from "../lib/context";
import { TINY } from "../lib/workspace";

export default scenario({
  name: "extension-host",
  title: "Extension tests inside code-server's extension host (extensionDevelopmentPath/extensionTestsPath via the URL payload)",
  timeoutMs: 300_000,
  async run(ctx) {
    const testsDir = path.join(ctx.stateDir, "exthost-tests");
    await esbuild.build({
      entryPoints: [path.join(ctx.repoRoot, "test", "e2e", "exthost", "index.ts")],
      outfile: path.join(testsDir, "index.js"),
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      external: ["vscode"],
      logLevel: "warning",
    });
    const pkg = ctx.readJson<{ name: string; publisher: string }>(path.join(ctx.repoRoot, "package.json"));
    const tiny = { method: "simclr", seed: 1, dataset: { format: "embedded", name: "fashion-mnist-5k" }, ...TINY };
    fs.writeFileSync(
      path.join(testsDir, "config.json"),
      JSON.stringify({ extensionPath: ctx.repoRoot, extensionId: `${pkg.publisher}.${pkg.name}`, tinyExperiment: JSON.stringify(tiny, null, 2), folder: ctx.folder }),
    );

    const page = await ctx.browserContext.newPage();
    try {
      let exit: { code: number } | undefined;
      await page.exposeFunction("codeAutomationExit", (code: number) => {
        exit = { code };
      });
      page.on("console", (m) => {
        const t = m.text();
        if (/exthost: /.test(t)) ctx.log(t.replace(/^.*?exthost: /s, "").split("\n")[0]!);
      });
      const authority = new URL(ctx.server.url).host;
      const remote = (p: string) => `vscode-remote://${authority}${p}`;
      const payload = [
        ["extensionDevelopmentPath", remote(ctx.repoRoot)],
        ["extensionTestsPath", remote(testsDir)],
      ];
      await page.goto(`${ctx.server.url}/?folder=${encodeURIComponent(ctx.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
      const t0 = Date.now();
      const resultsFile = path.join(testsDir, "results.json");
      const read = () => (fs.existsSync(resultsFile) ? ctx.readJson<HostTestResults>(resultsFile) : { done: false, results: [] });
      // The screenshot while the development window's extension host still runs (its views go blank when it exits).
      while (!exit && !read().done && Date.now() - t0 < 240_000) await page.waitForTimeout(250);
      await ctx.screenshot({ page }).catch(() => undefined);
      fs.writeFileSync(path.join(testsDir, "screenshot-taken"), "");
      while (!exit && Date.now() - t0 < 260_000) await page.waitForTimeout(250);
      const { results } = read();
      assert.ok(exit, `the extension host reported no exit within 260 s (results so far: ${results.map((r) => `${r.ok ? "ok" : "FAIL"} ${r.name}`).join("; ") || "none"})`);
      assert.ok(results.length > 0, "the tests wrote results.json");
      const failed = results.filter((r) => !r.ok);
      assert.deepEqual(
        failed.map((r) => `${r.name}: ${r.error?.split("\n")[0]}`),
        [],
        `${failed.length} of ${results.length} extension-host tests failed`,
      );
      assert.equal(exit.code, 0, "the extension host's exit code");
      ctx.log(`${results.length} extension-host tests passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } finally {
      await page.close().catch(() => undefined);
    }
  },
});
