/**
 * What the panel draws for one run: the points of the chosen metric against
 * the chosen x axis inside the visible range, raw and smoothed, downsampled
 * to the panel's width. Smoothing always runs on the full series (cached
 * until the series grows or the setting changes), then both curves are cut
 * at the same indices, so the smoothed value under the cursor is the one a
 * full-resolution plot would show.
 */
import { downsampleIndices, lowerBound, upperBound } from "./downsample";
import { metricById, type XAxis } from "./metrics";
import type { RunSeries } from "./runSeries";
import { Ema } from "./smoothing";

export interface PlotRequest {
  metric: string;
  xAxis: XAxis;
  /** EMA weight in [0, 1). */
  smoothing: number;
  /** Visible x range; all of it when absent. */
  range?: [number, number];
  /** Pixel columns of the plot: at most a few points each are sent. */
  buckets: number;
}

export interface PlotData {
  x: Float64Array;
  raw: Float64Array;
  smooth: Float64Array;
  /** Points of the full series inside the range (before downsampling). */
  inRange: number;
  /** x of the first and last point of the whole series. */
  extent?: [number, number];
}

/** A metric's points with their step, epoch and time. */
export interface Measured {
  step: Float64Array;
  epoch: Float64Array;
  time: Float64Array;
  y: Float64Array;
}

/** A metric's rows, without the rows where it was not measured (an evaluation without that protocol). */
export function measured(series: RunSeries, metric: string): Measured | undefined {
  const def = metricById(metric);
  if (!def) return undefined;
  const table = (def.table === "train" ? series.train : series.eval) as unknown as { column(f: string): Float64Array };
  const [step, epoch, time, y] = ["step", "epoch", "time", metric].map((f) => table.column(f)) as [Float64Array, Float64Array, Float64Array, Float64Array];
  if (def.table === "train") return { step, epoch, time, y }; // every train row has every train metric: no copy of a million rows
  const keep: number[] = [];
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i])) keep.push(i);
  const pick = (a: Float64Array) => Float64Array.from(keep, (i) => a[i]!);
  return { step: pick(step), epoch: pick(epoch), time: pick(time), y: pick(y) };
}

/**
 * The smoothed metric of one run. Live rows only extend the average; another
 * metric, weight or series (the run was read again) starts it over.
 */
export class SmoothingCache {
  private owner?: RunSeries;
  private key = "";
  private ema = new Ema(0);
  private values: Float64Array = new Float64Array(0);
  private length = 0;

  get(series: RunSeries, metric: string, weight: number, y: Float64Array): Float64Array {
    const key = `${metric}|${weight}`;
    if (series !== this.owner || key !== this.key || y.length < this.length) {
      this.owner = series;
      this.key = key;
      this.ema = new Ema(weight);
      this.length = 0;
    }
    if (y.length > this.values.length) {
      const bigger = new Float64Array(Math.max(y.length, this.values.length * 2));
      bigger.set(this.values.subarray(0, this.length));
      this.values = bigger;
    }
    for (let i = this.length; i < y.length; i++) this.values[i] = this.ema.next(y[i]!);
    this.length = y.length;
    return this.values.subarray(0, y.length);
  }
}

export function plotData(series: RunSeries, req: PlotRequest, cache = new SmoothingCache()): PlotData {
  const m = measured(series, req.metric);
  const c = m && { x: m[req.xAxis], y: m.y };
  if (!c || c.x.length === 0) return { x: new Float64Array(0), raw: new Float64Array(0), smooth: new Float64Array(0), inRange: 0 };
  const smooth = cache.get(series, req.metric, req.smoothing, c.y);
  let from = 0;
  let to = c.x.length;
  if (req.range) {
    // One point beyond each edge, so the lines run to the plot's borders.
    from = Math.max(0, lowerBound(c.x, req.range[0]) - 1);
    to = Math.min(c.x.length, upperBound(c.x, req.range[1]) + 1);
  }
  const idx = downsampleIndices(c.x, [c.y, smooth], from, to, Math.max(1, Math.floor(req.buckets)));
  const pick = (a: Float64Array) => Float64Array.from(idx, (i) => a[i]!);
  return { x: pick(c.x), raw: pick(c.y), smooth: pick(smooth), inRange: to - from, extent: [c.x[0]!, c.x[c.x.length - 1]!] };
}
