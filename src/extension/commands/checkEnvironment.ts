/** "SSL: Check Environment": the CLI's doctor report, in the log. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { runNodeScript } from "../nodeProcess";
import type { Services } from "../services";

export async function checkEnvironment(s: Services): Promise<void> {
  const cli = s.context.asAbsolutePath(path.join("dist", "cli.js"));
  if (!fs.existsSync(cli)) {
    void vscode.window.showErrorMessage(`SSL: the CLI is missing (${cli}); run "npm run build".`);
    return;
  }
  s.log.show(true);
  s.log.info("SSL Studio environment (ssl-studio doctor):");
  const cwd = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath ?? s.context.extensionPath;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: "SSL: checking the environment" },
    () =>
      runNodeScript(cli, ["doctor"], {
        cwd,
        nodePath: vscode.workspace.getConfiguration("ssl").get<string>("nodePath") || undefined,
        onLine: (stream, line) => (stream === "stderr" ? s.log.warn(line) : s.log.info(line)),
      }),
  );
  if (result.error || result.code !== 0) {
    const why = result.error ?? (result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`);
    s.log.warn(`doctor ended with ${why}`);
    const choice = await vscode.window.showWarningMessage(`SSL: the environment check reported problems (${why}); see the log.`, "Show Log");
    if (choice) s.log.show(true);
  }
}
