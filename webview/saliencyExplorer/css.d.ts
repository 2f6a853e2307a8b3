/** esbuild bundles the stylesheet main.ts imports into dist/webview/saliencyExplorer.css. */
declare module "*.css";
