/**
 * The preview panel's page: the bundled script and stylesheet from
 * dist/webview/, under a strict Content Security Policy (scripts and styles
 * only with this page's nonce or from the extension, images only from data:
 * URIs, nothing remote).
 */
import { randomBytes } from "node:crypto";

export interface PanelPage {
  /** webview.cspSource */
  cspSource: string;
  /** webview.asWebviewUri(dist/webview/augmentPreview.js) */
  scriptUri: string;
  /** webview.asWebviewUri(dist/webview/augmentPreview.css) */
  styleUri: string;
  /** Shown until the script takes over. */
  title: string;
  nonce?: string;
}

export function newNonce(): string {
  return randomBytes(18).toString("base64").replace(/[+/=]/g, "");
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function previewHtml(p: PanelPage): string {
  const nonce = p.nonce ?? newNonce();
  const csp = [
    "default-src 'none'",
    "img-src data:",
    // Lit (inside @vscode-elements) styles its components with constructed style sheets, which CSP does not restrict.
    `style-src ${p.cspSource} 'nonce-${nonce}'`,
    `font-src ${p.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeHtml(p.styleUri)}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<div id="app" data-testid="app"><p class="placeholder">${escapeHtml(p.title)}…</p></div>
<script nonce="${nonce}" src="${escapeHtml(p.scriptUri)}"></script>
</body>
</html>
`;
}
