/** esbuild bundles the stylesheet main.ts imports into dist/webview/augmentPreview.css. */
declare module "*.css";
