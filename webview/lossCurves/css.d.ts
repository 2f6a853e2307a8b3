/** esbuild bundles the stylesheets main.ts imports into dist/webview/lossCurves.css. */
declare module "*.css";
