/** The checkpoints table: sortable by any column (header click), one row selected. */
import type { CheckpointRow, PanelTable } from "../../src/protocol/checkpointBrowser";
import { h } from "../augmentPreview/dom";
import { COLUMNS, nextSort, sortRows, type SortState } from "./columns";

export class Table {
  readonly el = h("div", { class: "table-wrap" });
  private table?: PanelTable;
  private sort?: SortState;
  private selected?: string;

  constructor(private readonly onSelect: (row: CheckpointRow) => void) {}

  get selectedRow(): CheckpointRow | undefined {
    return this.table?.rows.find((r) => r.dir === this.selected);
  }

  show(table: PanelTable): void {
    this.table = table;
    this.selected = table.selected;
    this.render();
  }

  private select(row: CheckpointRow): void {
    this.selected = row.dir;
    for (const tr of this.el.querySelectorAll<HTMLTableRowElement>("tbody tr")) tr.setAttribute("aria-selected", String(tr.dataset.dir === row.dir));
    this.onSelect(row);
  }

  private render(): void {
    const t = this.table;
    if (!t) return;
    if (!t.rows.length) {
      this.el.replaceChildren(h("p", { class: "placeholder", "data-testid": "empty" }, "No complete checkpoints here (yet)."));
      return;
    }
    const columns = COLUMNS.filter((c) => !c.allRunsOnly || t.allRuns);
    const head = h(
      "tr",
      {},
      ...columns.map((c) => {
        const button = h("button", { class: "sort", type: "button", title: `Sort by ${c.title}` }, c.title);
        button.addEventListener("click", () => {
          this.sort = nextSort(this.sort, c.key);
          this.render();
        });
        return h("th", { "data-testid": `col-${c.key}`, "data-col": c.key, class: c.numeric ? "num" : undefined, "aria-sort": this.sort?.key === c.key ? this.sort.direction : "none" }, button);
      }),
    );
    const body = sortRows(t.rows, this.sort).map((r) => {
      const tr = h(
        "tr",
        { "data-testid": "row", "data-dir": r.dir, "data-name": r.name, "data-run": r.runId, "aria-selected": String(r.dir === this.selected), tabindex: 0 },
        ...columns.map((c) => h("td", { "data-col": c.key, class: c.numeric ? "num" : undefined }, c.text(r))),
      );
      tr.addEventListener("click", () => this.select(r));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          this.select(r);
        }
      });
      return tr;
    });
    this.el.replaceChildren(h("table", { "data-testid": "table" }, h("thead", {}, head), h("tbody", {}, ...body)));
  }
}
