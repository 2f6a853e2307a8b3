/** The CSV export of the curves panel: every point of the shown runs in the visible range, at full resolution. */
import { lowerBound, upperBound } from "./downsample";
import { metricById, type XAxis } from "./metrics";
import { measured } from "./plotData";
import type { RunSeries } from "./runSeries";
import { smoothEma } from "./smoothing";

export interface CsvRun {
  label: string;
  series: RunSeries;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function curvesCsv(runs: readonly CsvRun[], metric: string, xAxis: XAxis, smoothing: number, range?: [number, number]): string {
  if (!metricById(metric)) throw new Error(`unknown metric "${metric}"`);
  const lines = [`run,step,epoch,time,${metric},${metric}_smoothed`];
  for (const { label, series } of runs) {
    const m = measured(series, metric);
    if (!m) continue;
    const smoothed = smoothEma(m.y, smoothing);
    const x = m[xAxis];
    const from = range ? lowerBound(x, range[0]) : 0;
    const to = range ? upperBound(x, range[1]) : x.length;
    for (let i = from; i < to; i++) lines.push(`${quote(label)},${m.step[i]},${m.epoch[i]},${m.time[i]},${m.y[i]},${smoothed[i]}`);
  }
  return lines.join("\n") + "\n";
}
