/** A webview's channel to the extension host, typed by the panel's contract (src/protocol/<panel>.ts). */
interface VsCodeApi<T> {
  postMessage(message: T): void;
}
declare function acquireVsCodeApi<T>(): VsCodeApi<T>;

/** Call once per page: VS Code hands out its API object only once. */
export function hostChannel<T>(): (message: T) => void {
  const api = acquireVsCodeApi<T>();
  return (message) => api.postMessage(message);
}
