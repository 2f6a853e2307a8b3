/** The experiment's problems (file, line, field; a click opens the file there) and errors of a run. */
import type { ExperimentIssue, PanelToHost } from "../../src/protocol/saliencyExplorer";
import { h } from "../augmentPreview/dom";

export class Problems {
  readonly issuesEl = h("section", { class: "problems invalid", "data-testid": "issues", hidden: true });
  readonly errorEl = h("section", { class: "problems failed", "data-testid": "problems", hidden: true });

  constructor(private readonly send: (m: PanelToHost) => void) {}

  showIssues(issues: readonly ExperimentIssue[]): void {
    if (!issues.length) {
      this.issuesEl.hidden = true;
      this.issuesEl.replaceChildren();
      return;
    }
    const name = (f: string) => f.split(/[\\/]/).pop() ?? f;
    this.issuesEl.replaceChildren(
      h("h2", {}, issues.length === 1 ? "The experiment file has a problem" : `The experiment file has ${issues.length} problems`),
      h(
        "ul",
        {},
        ...issues.map((i) => {
          const where = h("a", { class: "where", href: "#", title: `Open ${i.file} at line ${i.line}` }, `${name(i.file)}:${i.line}`);
          where.addEventListener("click", (e) => {
            e.preventDefault();
            this.send({ type: "open", file: i.file, line: i.line });
          });
          return h("li", { class: "issue", "data-testid": "issue" }, where, " ", i.field ? h("code", {}, i.field) : null, i.field ? ": " : "", i.message);
        }),
      ),
      h("p", { class: "hint" }, "Save the fixed file: the panel follows it. Image files still run with the settings shown."),
    );
    this.issuesEl.hidden = false;
  }

  showError(error: string): void {
    this.errorEl.replaceChildren(h("h2", {}, "SaliencyCut could not run"), h("p", { class: "error", "data-testid": "error" }, error));
    this.errorEl.hidden = false;
  }

  clearError(): void {
    this.errorEl.hidden = true;
    this.errorEl.replaceChildren();
  }
}
