/**
 * TensorBoard's debiased exponential moving average, run on the full
 * series: smoothing before any downsampling keeps a curve the same however
 * it is sampled for display (TensorBoard smooths after subsampling, so its
 * curves change with the sample: tensorboard #1518). The debias term keeps
 * the first points from being pulled toward zero. Non-finite values pass
 * through and do not enter the average.
 */
export class Ema {
  private readonly w: number;
  private last = 0;
  private decay = 1; // w^n after n finite values

  constructor(weight: number) {
    this.w = weight > 0 ? Math.min(weight, 0.999) : 0;
  }

  next(v: number): number {
    if (this.w === 0 || !Number.isFinite(v)) return v;
    this.last = this.last * this.w + (1 - this.w) * v;
    this.decay *= this.w;
    return this.last / (1 - this.decay);
  }
}

export function smoothEma(values: Float64Array, weight: number): Float64Array {
  const ema = new Ema(weight);
  return values.map((v) => ema.next(v));
}
