/**
 * Embeddings in the TensorBoard Embedding Projector's format: vectors.tsv
 * (one row per image, tab-separated floats, no header) and metadata.tsv
 * (a header row, then one row per image in the same order; with two or
 * more columns the projector reads the first row as column names).
 */

export interface ProjectorTsv {
  vectors: string;
  metadata: string;
}

/** `values` holds `rows` vectors of `dim` floats, row-major; `labels` the class of each row (empty when unlabelled). */
export function projectorTsv(values: Float32Array, rows: number, dim: number, labels: readonly string[]): ProjectorTsv {
  if (values.length !== rows * dim) throw new Error(`${values.length} values are not ${rows} rows of ${dim}`);
  if (labels.length !== 0 && labels.length !== rows) throw new Error(`${labels.length} labels for ${rows} rows`);
  const vectors: string[] = [];
  const metadata = ["index\tlabel"];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    // Seven significant digits: what float32 holds, without the double's noise (0.10000000149011612).
    for (let d = 0; d < dim; d++) row.push(String(Number(values[r * dim + d]!.toPrecision(7))));
    vectors.push(row.join("\t"));
    // A tab or newline in a class name would shift the projector's columns.
    metadata.push(`${r}\t${(labels[r] ?? "").replace(/[\t\r\n]+/g, " ")}`);
  }
  return { vectors: vectors.join("\n") + "\n", metadata: metadata.join("\n") + "\n" };
}
