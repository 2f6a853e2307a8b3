/** The status-bar item shown while runs are going; a click opens the log. */
import * as vscode from "vscode";
import { liveRunLine, statusBarText } from "./format";
import type { RunRegistry } from "./runRegistry";

export function createRunStatusBar(registry: RunRegistry): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("ssl.run", vscode.StatusBarAlignment.Left, 50);
  item.name = "SSL Studio Run";
  item.command = "ssl.showLog";
  const update = () => {
    const runs = registry.list();
    if (runs.length === 0) {
      item.hide();
      return;
    }
    item.text = statusBarText(runs);
    item.tooltip = [...runs.map(liveRunLine), "", "Click to show the SSL Studio log"].join("\n");
    item.show();
  };
  const sub = registry.onChange(update);
  update();
  return { dispose: () => (sub.dispose(), item.dispose()) };
}
