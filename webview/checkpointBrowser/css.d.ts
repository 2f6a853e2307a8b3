/** esbuild bundles the stylesheet main.ts imports into dist/webview/checkpointBrowser.css. */
declare module "*.css";
