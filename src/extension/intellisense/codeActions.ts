/**
 * Quick fixes for the "ssl-studio" diagnostics: each fix of the finding
 * behind a diagnostic becomes a code action: an edit of that one value
 * (jsonLayout.ts: comments and layout kept, one undo step) or the command it names.
 */
import * as vscode from "vscode";
import type { AdviceFix } from "../../core/config/advice";
import type { AdviceEnvironment } from "./adviceEnv";
import { analyseExperiment } from "./analysis";
import { DIAGNOSTIC_SOURCE } from "./diagnostics";
import { setValueEdits } from "./jsonLayout";

/** The command each command fix runs, with the experiment file's Uri. */
const COMMANDS: Record<Extract<AdviceFix, { command: string }>["command"], string> = {
  buildSaliencyCache: "ssl.buildSaliencyCache",
};

/** The indentation of the document's editor, else two spaces. */
function formattingOf(doc: vscode.TextDocument): { insertSpaces: boolean; tabSize: number } {
  const o = vscode.window.visibleTextEditors?.find((e) => e.document === doc)?.options;
  return {
    insertSpaces: typeof o?.insertSpaces === "boolean" ? o.insertSpaces : true,
    tabSize: typeof o?.tabSize === "number" ? o.tabSize : 2,
  };
}

export function fixAction(doc: vscode.TextDocument, fix: AdviceFix, diagnostic: vscode.Diagnostic): vscode.CodeAction {
  const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
  action.diagnostics = [diagnostic];
  if ("command" in fix) {
    action.command = { command: COMMANDS[fix.command], title: fix.title, arguments: [doc.uri] };
    return action;
  }
  const edits = setValueEdits(doc.getText(), fix.edit.path, fix.edit.value, formattingOf(doc));
  action.edit = new vscode.WorkspaceEdit();
  for (const e of edits) action.edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  return action;
}

export class AdviceQuickFixes implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly env: AdviceEnvironment) {}

  provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE);
    if (!ours.length) return [];
    // The findings of the text as it is now; a diagnostic is matched by code and message, which do not move with edits elsewhere.
    const findings = analyseExperiment(doc.getText(), doc.uri.fsPath, this.env.for(doc.uri.fsPath));
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of ours) {
      const finding = findings.find((f) => f.code === diagnostic.code && f.message === diagnostic.message);
      finding?.fixes.forEach((fix, i) => {
        const action = fixAction(doc, fix, diagnostic);
        // The first fix is the smallest change (set the value the advice names): the one to apply by default.
        action.isPreferred = i === 0;
        actions.push(action);
      });
    }
    return actions;
  }
}
