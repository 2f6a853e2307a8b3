/**
 * One run's logged metrics in memory, as columns: the train table (one row
 * per logged step) and the eval table. Rows from a live trainer append to
 * it; a row at or before the last step of its table is one the table
 * already has (the file was read after the trainer wrote it) and is skipped.
 */
import type { MetricRow } from "../../protocol/runFiles";
import { EVAL_FIELDS, TRAIN_FIELDS, type EvalField, type TrainField } from "../../protocol/runFiles";
import { evalValues } from "../run/metricRecords";
import { Columns } from "./columns";

export class RunSeries {
  readonly train: Columns<TrainField>;
  readonly eval: Columns<EvalField>;

  constructor(train?: Columns<TrainField>, evals?: Columns<EvalField>) {
    this.train = train ?? new Columns(TRAIN_FIELDS);
    this.eval = evals ?? new Columns(EVAL_FIELDS);
  }

  /** True when the row was new. */
  append(row: MetricRow): boolean {
    if (row.kind === "train") {
      if (row.step <= (this.train.last("step") ?? -Infinity)) return false;
      this.train.push(row);
      return true;
    }
    if (row.kind === "eval") {
      if (row.step <= (this.eval.last("step") ?? -Infinity)) return false;
      this.eval.push(evalValues(row));
      return true;
    }
    return false;
  }
}
