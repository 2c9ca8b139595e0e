/**
 * Suggestions: "Intent: Suggest…" in the palette, and the likely next step of a finished run as
 * a button on its notification ("Run test", or "Dismiss", which tells the server). The same
 * suggestions reach the lightbulb / Ctrl+. menu as code actions of kind `intentls.suggest`,
 * straight from the server. Nothing runs unless the person picks it.
 */
import * as vscode from 'vscode';
import { ServerCommand } from './constants';
import { RunResult, Suggestion } from './protocol';
import type { Runner } from './runner';
import { showError } from './runner';

const DISMISS = 'Dismiss';
/** No unasked suggestion while the person is typing: none within this long of an edit. */
const TYPING_MS = 3000;
let lastEdit = 0;

/**
 * Notes when a person edits a document (registered once by the extension). A document reloaded
 * from disk is not typing: it stays clean — a formatter run rewriting the open file must not
 * hide its own next step.
 */
export function watchTyping(): vscode.Disposable {
    return vscode.workspace.onDidChangeTextDocument((event) => {
        const typed = event.contentChanges.length > 0 && event.document.isDirty;
        if (typed && event.document.uri.scheme === 'file') {
            lastEdit = Date.now();
        }
    });
}

/** QuickPick of `intentls.suggest` for the target; the chosen one runs. */
export async function pickSuggestion(runner: Runner, target: { uri?: string; cwd?: string }): Promise<void> {
    const found = (await runner.execute(ServerCommand.suggest, [target])) as Suggestion[] | undefined;
    if (!found || found.length === 0) {
        void vscode.window.showInformationMessage('intentls: nothing to suggest yet. Run a few intents first.');
        return;
    }
    const pick = await vscode.window.showQuickPick(
        found.map((s) => ({
            label: `$(lightbulb) ${s.title}`,
            description: `${Math.round(s.confidence * 100)} %`,
            detail: s.reason,
            suggestion: s,
        })),
        { title: 'Intent: Suggest…', placeHolder: 'Best first. Pick one to run it.' },
    );
    if (pick) {
        await runner.executeLspCommand(pick.suggestion.command);
    }
}

/**
 * At most one unasked suggestion per run: the first of `result.suggestions`, as a button on a
 * notification, unless the person is typing. "Dismiss" sends `intentls.feedback {accepted: false}`.
 */
export function offerNext(runner: Runner, result: RunResult): void {
    const next = result.suggestions?.[0];
    if (!next || Date.now() - lastEdit < TYPING_MS) {
        return;
    }
    void vscode.window
        .showInformationMessage(`intentls suggests: ${next.title} (${next.reason})`, next.title, DISMISS)
        .then(async (choice) => {
            if (choice === next.title) {
                await runner.executeLspCommand(next.command);
            } else if (choice === DISMISS && runner.supports(ServerCommand.feedback)) {
                await runner.execute(ServerCommand.feedback, [{ suggestionId: next.id, accepted: false }]);
            }
        })
        .then(undefined, (err: unknown) => showError(err));
}
