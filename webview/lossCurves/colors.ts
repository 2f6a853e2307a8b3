/**
 * Run colours from the theme: VS Code's chart colours for runs and
 * categories, and a gradient between two of them for a numeric colour-by
 * field, so curves read well in light, dark and high-contrast themes.
 */
import type { RunColor } from "../../src/protocol/lossCurves";

const PALETTE_VARS = ["--vscode-charts-blue", "--vscode-charts-orange", "--vscode-charts-green", "--vscode-charts-purple", "--vscode-charts-red", "--vscode-charts-yellow"];
const FALLBACK = ["#3794ff", "#d18616", "#89d185", "#b180d7", "#f14c4c", "#cca700"];

function themeColor(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

function rgb(color: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})/i.exec(color);
  if (m) {
    const n = parseInt(m[1]!, 16);
    return [n >> 16, (n >> 8) & 255, n & 255];
  }
  const parts = /rgba?\(([^)]+)\)/.exec(color)?.[1]?.split(",").map((p) => parseFloat(p)) ?? [128, 128, 128];
  return [parts[0]!, parts[1]!, parts[2]!];
}

export function palette(): string[] {
  return PALETTE_VARS.map((v, i) => themeColor(v, FALLBACK[i]!));
}

/** A colour on the theme's blue → orange gradient, t in [0, 1]. */
export function gradient(t: number): string {
  const [a, b] = [rgb(themeColor(PALETTE_VARS[0]!, FALLBACK[0]!)), rgb(themeColor(PALETTE_VARS[1]!, FALLBACK[1]!))];
  const mix = a.map((c, i) => Math.round(c + (b[i]! - c) * t));
  return `rgb(${mix.join(",")})`;
}

export function runColor(c: RunColor, colors = palette()): string {
  if ("t" in c) return gradient(c.t);
  const i = "index" in c ? c.index : c.category;
  return colors[i % colors.length]!;
}

/** The same colour, translucent (the raw curve under its smoothed one). */
export function faded(color: string, alpha: number): string {
  return `rgba(${rgb(color).join(",")},${alpha})`;
}

/** A colour chip. Its colour is set through the CSSOM: the page's CSP blocks style attributes. */
export function swatch(background: string): HTMLElement {
  const el = document.createElement("span");
  el.className = "swatch";
  el.style.background = background;
  return el;
}
