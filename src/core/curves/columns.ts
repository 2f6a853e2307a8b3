/** Growable float64 columns of one table (a run's train rows or eval rows): live rows append without copying per row. */
export class Columns<K extends string> {
  private data: Record<K, Float64Array>;
  private length = 0;

  readonly fields: readonly K[];

  /** Empty columns of these fields, or columns already read (a record file). */
  constructor(from: readonly K[] | { count: number; columns: Record<K, Float64Array> }) {
    if (Array.isArray(from)) {
      this.fields = from;
      this.data = Object.fromEntries(from.map((f) => [f, new Float64Array(64)])) as Record<K, Float64Array>;
    } else {
      const read = from as { count: number; columns: Record<K, Float64Array> };
      this.fields = Object.keys(read.columns) as K[];
      this.data = read.columns;
      this.length = read.count;
    }
  }

  get count(): number {
    return this.length;
  }

  /** The first `count` values of a field (a view: valid until the next push). */
  column(field: K): Float64Array {
    return this.data[field].subarray(0, this.length);
  }

  last(field: K): number | undefined {
    return this.length ? this.data[field][this.length - 1] : undefined;
  }

  push(values: Record<K, number>): void {
    if (this.length === this.data[this.fields[0]!].length) this.grow();
    for (const f of this.fields) this.data[f][this.length] = values[f];
    this.length++;
  }

  private grow(): void {
    for (const f of this.fields) {
      const bigger = new Float64Array(Math.max(64, this.data[f].length * 2));
      bigger.set(this.data[f].subarray(0, this.length));
      this.data[f] = bigger;
    }
  }
}
