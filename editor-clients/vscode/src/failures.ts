/**
 * Failure analysis in VS Code: the prediction before a run (a note in the progress
 * notification, or a modal when the run will probably fail) and "Intent: Why Did It Fail?".
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';
import { ServerCommand } from './constants';
import { Explanation, Plan } from './protocol';

/** Below this predicted success a run asks first (docs/failures.md: the server's threshold). */
export const RISKY = 0.5;
export const RUN_ANYWAY = 'Run Anyway';

/**
 * What history predicts for a run about to start: `false` when the person chose not to run
 * it, else a note for the progress notification (or undefined: nothing to say).
 */
export async function foresee(client: LanguageClient, args: Record<string, unknown>): Promise<string | false | undefined> {
    let plan: Plan;
    try {
        plan = (await client.sendRequest(ExecuteCommandRequest.type, {
            command: ServerCommand.plan,
            arguments: [args],
        })) as Plan;
    } catch {
        return undefined; // the run itself says what is wrong with the text
    }
    const past = plan.warnings.find((w) => w.kind === 'pastFailure');
    if (!past) {
        return undefined;
    }
    if (plan.predictedSuccess === undefined || plan.predictedSuccess >= RISKY) {
        return past.message;
    }
    const chance = Math.round(plan.predictedSuccess * 100);
    const choice = await vscode.window.showWarningMessage(
        `intentls: ${plan.goal} will probably fail (${chance}% chance to succeed)`,
        { modal: true, detail: past.message },
        RUN_ANYWAY,
    );
    return choice === RUN_ANYWAY ? past.message : false;
}

/** "Intent: Why Did It Fail?": the folder's newest failed run, beside its last success. */
export async function whyDidItFail(client: LanguageClient, target: { uri?: string; cwd?: string }, showOutput: () => void): Promise<void> {
    const answer = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: ServerCommand.explain,
        arguments: [target],
    })) as Explanation;
    const detail = [
        answer.changedFiles.length ? `Changed since the last success:\n${answer.changedFiles.map((f) => `  ${f}`).join('\n')}` : '',
        answer.env.length ? `Environment (names only): ${answer.env.map((e) => `${e.name} ${e.change}`).join(', ')}` : '',
        answer.newErrors.length ? `New errors:\n${answer.newErrors.map((e) => `  ${e}`).join('\n')}` : '',
    ]
        .filter(Boolean)
        .join('\n\n');
    const first = answer.changedFiles[0];
    const open = first ? `Open ${first}` : undefined;
    const choice = await vscode.window.showWarningMessage(
        answer.summary,
        { modal: true, detail },
        ...(open ? [open] : []),
        'Show Output',
    );
    if (choice === 'Show Output') {
        showOutput();
    } else if (open && choice === open) {
        const folder = vscode.workspace.workspaceFolders?.find((f) => target.uri?.startsWith(f.uri.toString())) ??
            vscode.workspace.workspaceFolders?.[0];
        if (folder) {
            await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, first));
        }
    }
}
