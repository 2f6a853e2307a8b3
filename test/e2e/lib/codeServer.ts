/**
 * One code-server for the whole suite: throwaway user-data, extensions and
 * config dirs, the packaged extension installed, bound to a free loopback
 * port without auth. It runs in its own process group, so stopping it also
 * ends the extension hosts, file watchers and any trainer they forked.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { groupAlive, killGroup, trackGroup } from "./cleanup";

export interface CodeServer {
  port: number;
  url: string;
  pid: number;
  log: string;
  userDataDir: string;
  extensionsDir: string;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  entry: string;
  vsix: string;
  /** Parent of the throwaway dirs (user-data, extensions, xdg config). */
  stateDir: string;
  workspace: string;
  settings?: Record<string, unknown>;
}

const DEFAULT_SETTINGS = {
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.colorTheme": "Default Dark Modern",
  "editor.minimap.enabled": false,
  "editor.wordWrap": "on",
  "files.autoSave": "off",
  "git.enabled": false,
  "chat.commandCenter.enabled": false,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = path.join(o.stateDir, "user-data");
  const extensionsDir = path.join(o.stateDir, "extensions");
  const xdg = path.join(o.stateDir, "xdg-config");
  for (const d of [path.join(userDataDir, "User"), extensionsDir, xdg]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, "User", "settings.json"), JSON.stringify({ ...DEFAULT_SETTINGS, ...o.settings }, null, 2));
  // Without it code-server writes ~/.config/code-server/config.yaml.
  const env = { ...process.env, XDG_CONFIG_HOME: xdg };
  const dirs = ["--user-data-dir", userDataDir, "--extensions-dir", extensionsDir];

  await promisify(execFile)(process.execPath, [o.entry, ...dirs, "--install-extension", o.vsix], { env, timeout: 120_000 }).catch((e) => {
    throw new Error(`code-server --install-extension ${o.vsix} failed: ${e.stderr || e.message}`);
  });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = path.join(o.stateDir, "code-server.log");
  const fd = fs.openSync(log, "a");
  const child = spawn(
    process.execPath,
    [o.entry, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", ...dirs, o.workspace],
    // detached: its own process group (like setsid), so one kill reaches every process under it.
    { detached: true, stdio: ["ignore", fd, fd], env },
  );
  fs.closeSync(fd);
  const pid = child.pid!;
  const untrack = trackGroup(pid);
  let exited: string | undefined;
  child.on("exit", (code, signal) => (exited = signal ?? `exit ${code}`));

  const stop = async () => {
    if (groupAlive(pid)) {
      killGroup(pid, "SIGTERM");
      for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      // Trainers checkpoint on SIGTERM; nothing here needs that, so do not wait long.
      if (groupAlive(pid)) killGroup(pid, "SIGKILL");
    }
    untrack();
  };

  const t0 = Date.now();
  while (!(await healthy(url))) {
    if (exited) {
      await stop();
      throw new Error(`code-server exited (${exited}) before answering; its log ${log}:\n${fs.readFileSync(log, "utf8").slice(-3000)}`);
    }
    if (Date.now() - t0 > 60_000) {
      await stop();
      throw new Error(`code-server did not answer on ${url}/healthz within 60 s; its log: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, url, pid, log, userDataDir, extensionsDir, stop };
}
