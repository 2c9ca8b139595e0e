/**
 * A run's full output as the server keeps it (`intentls.output`): the Output channel has what
 * was streamed, capped, and the history a tail. "Intent: Show Full Output" picks a run (the
 * last one at the top) and opens its file in a read-only editor tab; so do a failed run's
 * notification and Intent: Show History. A server on another machine sends the text instead.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';
import { ServerCommand } from './constants';
import { RunSummary } from './protocol';
import { formatAgo, statusIcon } from './status';

export const SHOW_FULL_OUTPUT = 'Show Full Output';

/** The answer of `intentls.output` (docs/protocol.md, "Full output"). */
export interface FullOutput {
    runId: string;
    intent: string;
    status: string;
    uri: string;
    sizeBytes: number;
    stepId?: string;
    text?: string;
    cutBytes?: number;
}

/** The most text asked for when the file cannot be opened here (the server's limit). */
const MAX_TEXT = 16 * 1024 * 1024;

async function ask(client: LanguageClient, args: Record<string, unknown>): Promise<FullOutput> {
    return (await client.sendRequest(ExecuteCommandRequest.type, {
        command: ServerCommand.output,
        arguments: [args],
    })) as FullOutput;
}

/** Opens a run's full output in an editor tab (`runId` undefined: the folder's newest run). */
export async function openFullOutput(client: LanguageClient, target: { uri?: string; cwd?: string }, runId?: string): Promise<void> {
    const found = await ask(client, { ...target, ...(runId ? { runId } : {}), maxBytes: 0 });
    const file = vscode.Uri.parse(found.uri);
    let doc: vscode.TextDocument;
    if (await vscode.workspace.fs.stat(file).then(() => true, () => false)) {
        doc = await vscode.workspace.openTextDocument(file);
    } else {
        const sent = await ask(client, { runId: found.runId, maxBytes: MAX_TEXT });
        const cut = sent.cutBytes ? `[the first ${sent.cutBytes} bytes are not shown]\n` : '';
        doc = await vscode.workspace.openTextDocument({ language: 'log', content: cut + (sent.text ?? '') });
    }
    await vscode.window.showTextDocument(doc, { preview: true });
    // The kept output is a record: not to be edited by accident (VS Code 1.79 and later).
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession').then(
        () => undefined,
        () => undefined,
    );
}

/** "Intent: Show Full Output": the folder's runs, newest first; the chosen one's output. */
export async function pickFullOutput(client: LanguageClient, target: { uri?: string; cwd?: string }): Promise<void> {
    const runs = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: ServerCommand.history,
        arguments: [{ ...target, limit: 50 }],
    })) as RunSummary[];
    const ran = runs.filter((run) => run.status !== 'blocked');
    if (ran.length === 0) {
        void vscode.window.showInformationMessage('intentls: no run in this folder yet.');
        return;
    }
    const pick = await vscode.window.showQuickPick(
        ran.map((run) => ({
            label: `${statusIcon(run.status)} ${run.intent}`,
            description: [run.status, formatAgo(run.startedAt)].join(' · '),
            run,
        })),
        { title: 'Intent: Show Full Output', placeHolder: 'Newest first: the last run is at the top.' },
    );
    if (pick) {
        await openFullOutput(client, target, pick.run.runId);
    }
}
