/** The webview's channel to the extension host. */
import type { PanelToHost } from "../../src/protocol/augmentPreview";

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: PanelToHost): void {
  api.postMessage(message);
}
