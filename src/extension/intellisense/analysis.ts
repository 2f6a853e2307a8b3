/**
 * What the editor reports on an experiment file's text beyond the JSON
 * Schema: the config check's own rules (load.ts: policy, model) and the
 * advice (core/config/advice.ts), each placed on the text it is about. No
 * `vscode` here: diagnostics and quick fixes both map these findings.
 */
import { findNodeAtLocation, getNodeValue, parseTree, type Node, type ParseError } from "jsonc-parser";
import { experimentAdvice, resolveExperiment, type AdviceEnv, type AdviceFix } from "../../core/config/advice";
import type { JsonPath } from "../../core/config/fieldInfo";
import { parseExperiment } from "../../core/config/load";

export interface Finding {
  /** Character range in the text. */
  offset: number;
  length: number;
  severity: "error" | "warning" | "info";
  /** An advice code, or "config" for the config check's rules. */
  code: string;
  message: string;
  fixes: AdviceFix[];
}

/**
 * Where a field's diagnostic goes: its value. A field the file does not
 * write got its value from the recipe (or a default), so the recipe's value
 * or the nearest written ancestor's key stands in.
 */
export function rangeOf(root: Node, path: JsonPath): { offset: number; length: number } {
  const node = findNodeAtLocation(root, path);
  if (node) return { offset: node.offset, length: node.length };
  const recipe = findNodeAtLocation(root, ["recipe"]);
  if (recipe) return { offset: recipe.offset, length: recipe.length };
  for (let n = path.length - 1; n > 0; n--) {
    const ancestor = findNodeAtLocation(root, path.slice(0, n));
    const key = ancestor?.parent?.type === "property" ? ancestor.parent.children?.[0] : undefined;
    if (key) return { offset: key.offset, length: key.length };
  }
  return { offset: root.offset, length: 1 };
}

export function parseJsonc(text: string): Node | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  return errors.length ? undefined : root;
}

export function analyseExperiment(text: string, file: string, env: AdviceEnv): Finding[] {
  const root = parseJsonc(text);
  // Broken JSON: the JSON language service reports it, and nothing else can be said yet.
  if (!root || root.type !== "object") return [];
  const raw: unknown = getNodeValue(root);
  const findings: Finding[] = [];
  // Only on a config the schema accepts: before that, parseExperiment's issues are the schema's, which the JSON language service already shows.
  if (resolveExperiment(raw).valid) {
    for (const issue of parseExperiment(text, file, { checkPaths: false }).issues) {
      findings.push({ offset: issue.offset, length: issue.length, severity: "error", code: "config", message: issue.message, fixes: [] });
    }
  }
  for (const a of experimentAdvice(raw, env)) {
    findings.push({ ...rangeOf(root, a.path), severity: a.severity, code: a.code, message: a.message, fixes: a.fixes });
  }
  return findings;
}
