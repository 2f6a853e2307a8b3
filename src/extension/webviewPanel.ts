/**
 * A panel's webview: its bundle (dist/webview/<bundle>.js and .css) in the
 * page every panel shares (strict CSP, nonce; augmentPreview/html.ts), with
 * scripts on and its state kept while hidden (panels follow live runs and
 * workers; rebuilding them on every tab switch would lose that).
 */
import * as vscode from "vscode";
import { previewHtml } from "./augmentPreview/html";

export interface PanelSpec {
  extensionUri: vscode.Uri;
  viewType: string;
  /** The tab's title. */
  title: string;
  /** dist/webview/<bundle>.js / .css */
  bundle: string;
  /** Shown until the script takes over; the tab's title when absent. */
  pageTitle?: string;
  /** Beside the active editor without taking the focus (previews of the file being edited), or in the active group. */
  beside: boolean;
}

export function openWebviewPanel(spec: PanelSpec): vscode.WebviewPanel {
  const dist = vscode.Uri.joinPath(spec.extensionUri, "dist", "webview");
  const panel = vscode.window.createWebviewPanel(
    spec.viewType,
    spec.title,
    spec.beside ? { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true } : { viewColumn: vscode.ViewColumn.Active },
    { enableScripts: true, localResourceRoots: [dist], retainContextWhenHidden: true },
  );
  const webview = panel.webview;
  webview.html = previewHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${spec.bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, `${spec.bundle}.css`)).toString(),
    title: spec.pageTitle ?? spec.title,
  });
  return panel;
}
