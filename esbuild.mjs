// Builds every bundle: the extension (CommonJS, `vscode` external), the
// trainer, CLI and library (Node, TensorFlow.js bundled in; the optional
// native backends and sharp stay external: they load native binaries), one
// browser bundle per webview panel (webview/<panel>/main.ts), and the JSON
// Schema generated from src/core/config/schema.ts.
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");
// opencv.js (10 MB, SaliencyCut only) stays external too: loaded on first use, not parsed by every start.
const nodeExternals = ["vscode", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu", "sharp", "@techstark/opencv-js"];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: "info",
  target: "node20",
  // jsonc-parser's UMD entry requires its own files at run time; its ESM entry bundles.
  mainFields: ["module", "main"],
};

const panels = fs.existsSync("webview")
  ? fs.readdirSync("webview").filter((d) => fs.existsSync(path.join("webview", d, "main.ts")))
  : [];

const builds = [
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/extension/extension.ts"], outfile: "dist/extension.js", external: nodeExternals },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/trainer/main.ts"], outfile: "dist/trainer.js", external: nodeExternals },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/trainer/previewWorker.ts"], outfile: "dist/previewWorker.js", external: nodeExternals },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/core/saliency/cache/saliencyWorker.ts"], outfile: "dist/saliencyWorker.js", external: nodeExternals },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/trainer/saliencyExplorerMain.ts"], outfile: "dist/saliencyExplorer.js", external: nodeExternals },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/trainer/checkpointBrowserMain.ts"], outfile: "dist/checkpointBrowser.js", external: nodeExternals },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js", external: nodeExternals, banner: { js: "#!/usr/bin/env node" } },
  { ...common, platform: "node", format: "cjs", entryPoints: ["src/lib.ts"], outfile: "dist/lib.js", external: nodeExternals },
  ...panels.map((p) => ({
    ...common,
    platform: "browser",
    format: "iife",
    target: "es2022",
    entryPoints: [`webview/${p}/main.ts`],
    outfile: `dist/webview/${p}.js`,
  })),
].filter((b) => fs.existsSync(b.entryPoints[0]));

async function writeSchema() {
  const out = await esbuild.build({ entryPoints: ["src/core/config/editorSchema.ts"], bundle: true, platform: "node", format: "cjs", write: false, logLevel: "silent" });
  const mod = { exports: {} };
  new Function("module", "exports", "require", out.outputFiles[0].text)(mod, mod.exports, createRequire(import.meta.url));
  fs.mkdirSync("dist", { recursive: true });
  fs.writeFileSync("dist/experiment.schema.json", JSON.stringify(mod.exports.editorJsonSchema(), null, 2) + "\n");
}

// The wasm backend fetches its binaries next to the bundle that loads it (see src/core/backend/select.ts).
function copyWasmBinaries() {
  const dir = "node_modules/@tensorflow/tfjs-backend-wasm/dist";
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".wasm"))) fs.copyFileSync(path.join(dir, f), path.join("dist", f));
}

await writeSchema();
copyWasmBinaries();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync("dist/cli.js", 0o755);
}
