/**
 * The cached, offline install of code-server (the recipe in DESIGN.md,
 * "Testing layers"): code-server from npm with --ignore-scripts, its bundled
 * VS Code's dependencies installed and native modules rebuilt here, ripgrep
 * from Debian instead of the download its postinstall would do. Kept under
 * .cache/e2e/, keyed by code-server version and Node ABI; a folder without
 * its ".complete" stamp (an interrupted setup) is wiped and done again.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const CODE_SERVER_VERSION = "4.99.4";

export interface CodeServerInstall {
  dir: string;
  /** node_modules/code-server/out/node/entry.js */
  entry: string;
  /** Whether this call did the install (false: the cache was used). */
  installed: boolean;
}

const APT_BUILD_PACKAGES = "libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config";

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs a command, appending its output to `log`; rejects with the log's tail when it fails. */
function sh(cmd: string, args: string[], cwd: string, log: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  fs.appendFileSync(log, `\n$ (cd ${cwd} && ${cmd} ${args.join(" ")})\n`);
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(log, "a");
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", fd, fd], env: { ...process.env, ...env } });
    fs.closeSync(fd);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const tail = fs.readFileSync(log, "utf8").split("\n").slice(-25).join("\n");
      reject(new Error(`${cmd} ${args.join(" ")} (in ${cwd}) failed (${signal ?? `exit ${code}`}); last lines of ${log}:\n${tail}`));
    });
  });
}

export async function ensureCodeServer(cacheRoot: string, say: (line: string) => void): Promise<CodeServerInstall> {
  const dir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}-node-abi${process.versions.modules}`);
  const stamp = path.join(dir, ".complete");
  const entry = path.join(dir, "node_modules", "code-server", "out", "node", "entry.js");
  if (fs.existsSync(stamp) && fs.existsSync(entry)) return { dir, entry, installed: false };

  const rg = which("rg");
  if (!rg) throw new Error("ripgrep not found (code-server's search needs it): apt-get install ripgrep");
  if (!which("pkg-config")) throw new Error(`pkg-config not found (code-server's native modules are built here): apt-get install ${APT_BUILD_PACKAGES}`);

  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const log = path.join(dir, "setup.log");
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "ssl-studio-e2e-code-server", private: true }, null, 2));
  const t0 = Date.now();
  const step = (what: string) => say(`setup [${Math.round((Date.now() - t0) / 1000)}s] ${what}`);
  // npm asks before running `npm rebuild` scripts as root unless told yes (the project's .npmrc may say yes=false).
  const yes = { npm_config_yes: "true" };
  const npmQuiet = ["--no-audit", "--no-fund", "--loglevel=error"];

  step(`npm install code-server@${CODE_SERVER_VERSION} (no scripts) into ${path.relative(process.cwd(), dir)}`);
  await sh("npm", ["install", "--ignore-scripts", ...npmQuiet, `code-server@${CODE_SERVER_VERSION}`], dir, log);

  const vscodeDir = path.join(dir, "node_modules", "code-server", "lib", "vscode");
  step("npm install in code-server/lib/vscode");
  await sh("npm", ["install", "--omit=dev", "--ignore-scripts", ...npmQuiet], vscodeDir, log);
  // @vscode/ripgrep's postinstall would download rg; Debian's works the same.
  const rgDir = path.join(vscodeDir, "node_modules", "@vscode", "ripgrep", "bin");
  fs.mkdirSync(rgDir, { recursive: true });
  fs.copyFileSync(rg, path.join(rgDir, "rg"));
  fs.chmodSync(path.join(rgDir, "rg"), 0o755);
  step("npm rebuild in code-server/lib/vscode (native modules, about a minute)");
  try {
    await sh("npm", ["rebuild"], vscodeDir, log, yes);
  } catch (e) {
    throw new Error(`${(e as Error).message}\nThe native modules need build packages: apt-get install ${APT_BUILD_PACKAGES}`);
  }
  const asar = path.join(vscodeDir, "node_modules.asar");
  if (!fs.existsSync(asar)) fs.symlinkSync("node_modules", asar);

  const extDir = path.join(vscodeDir, "extensions");
  step("npm install + rebuild in code-server/lib/vscode/extensions (built-in extensions)");
  await sh("npm", ["install", "--omit=dev", "--ignore-scripts", ...npmQuiet], extDir, log);
  await sh("npm", ["rebuild"], extDir, log, yes);

  // A top-level `npm rebuild` fails as root on code-server's own postinstall; argon2 is the one native module there.
  step("npm rebuild argon2");
  await sh("npm", ["rebuild", "argon2"], dir, log, yes);
  await sh(process.execPath, ["-e", "require('argon2')"], dir, log);

  fs.writeFileSync(stamp, `${new Date().toISOString()} code-server ${CODE_SERVER_VERSION} node ${process.version}\n`);
  step("done");
  return { dir, entry, installed: true };
}
