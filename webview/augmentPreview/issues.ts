/** The config's problems (instead of a stale grid), and the worker's errors. */
import type { PreviewIssue } from "../../src/protocol/augmentPreview";
import { h } from "./dom";

export class Problems {
  readonly el = h("section", { class: "problems", "data-testid": "problems", hidden: true });

  showIssues(issues: readonly PreviewIssue[]): void {
    this.el.replaceChildren(
      h("h2", {}, issues.length === 1 ? "The experiment has a problem" : `The experiment has ${issues.length} problems`),
      h(
        "ul",
        { "data-testid": "issues" },
        ...issues.map((i) =>
          h("li", { class: "issue", "data-testid": "issue" }, h("span", { class: "where" }, `line ${i.line}${i.field ? ` · ${i.field}` : ""}`), " ", i.message),
        ),
      ),
      h("p", { class: "hint" }, "Fix the file: the preview follows the editor as you type."),
    );
    this.el.className = "problems invalid";
    this.el.hidden = false;
  }

  showError(error: string): void {
    this.el.replaceChildren(h("h2", {}, "The preview failed"), h("p", { class: "error", "data-testid": "error" }, error));
    this.el.className = "problems failed";
    this.el.hidden = false;
  }

  clear(): void {
    this.el.hidden = true;
    this.el.replaceChildren();
  }
}
