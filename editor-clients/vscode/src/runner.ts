/**
 * Sends server commands. Commands that run something go out with the extension's own
 * `workDoneToken`, shown as a cancellable notification; their results (blocked, failed, undo
 * outcomes) are presented here, whoever triggered them: palette, code action, lens, keybinding.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
    ExecuteCommandRequest,
    LSPErrorCodes,
    ResponseError,
    WorkDoneProgress,
} from 'vscode-languageclient/node';
import { Command, RUNNING_COMMANDS, ServerCommand } from './constants';
import { LspCommand, RunResult, UndoResult, isRunResult, isUndoResult } from './protocol';
import { getClient, serverCommands, whenReady } from './server';
import { RunView } from './status';

const LABELS: Record<string, string> = {
    [ServerCommand.undo]: 'Undo',
    [ServerCommand.redo]: 'Redo',
    [ServerCommand.rollback]: 'Roll back',
};

/** Thrown when a command cannot be sent; the person has already been told why. */
export class NotSent extends Error {}

export class Runner {
    constructor(private readonly view: RunView) {}

    /** Whether the running server advertises `command`. */
    supports(command: string): boolean {
        return serverCommands().includes(command);
    }

    /**
     * Sends `command` to the server and presents the outcome. Throws `NotSent` when there is no
     * server or it does not advertise the command: such a command is never sent.
     */
    async execute(command: string, args: readonly unknown[] = []): Promise<unknown> {
        const client = await whenReady();
        if (!client) {
            void vscode.window
                .showErrorMessage('The intentls server is not running.', 'Restart Server')
                .then((choice) => choice && vscode.commands.executeCommand(Command.restartServer));
            throw new NotSent('server not running');
        }
        if (!this.supports(command)) {
            void vscode.window.showInformationMessage(`intentls server does not support ${command} yet.`);
            throw new NotSent(`unsupported: ${command}`);
        }
        if (!RUNNING_COMMANDS.has(command)) {
            return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [...args] });
        }
        const result = await this.withProgress(command, args);
        await this.present(command, result);
        return result;
    }

    /**
     * `middleware.executeCommand`: code actions, lenses and keybindings that execute a server
     * command which runs something get the palette's progress, cancel button and result handling.
     */
    async middleware(
        command: string,
        args: unknown[],
        next: (command: string, args: unknown[]) => unknown,
    ): Promise<unknown> {
        if (!RUNNING_COMMANDS.has(command)) {
            return next(command, args);
        }
        try {
            return await this.execute(command, args);
        } catch (err) {
            showError(err);
            return undefined;
        }
    }

    /** Runs an LSP command from the server (a blocked run's action, a suggestion). */
    async executeLspCommand(cmd: LspCommand): Promise<unknown> {
        if (Object.values(ServerCommand).includes(cmd.command as never)) {
            return this.execute(cmd.command, cmd.arguments ?? []);
        }
        return vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
    }

    private async withProgress(command: string, args: readonly unknown[]): Promise<unknown> {
        const client = getClient();
        if (!client) {
            throw new NotSent('server not running');
        }
        const arg = (args[0] ?? {}) as { intent?: unknown };
        const label =
            command === ServerCommand.run ? String(arg.intent ?? '') : (LABELS[command] ?? command);
        return vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `intentls: ${label}`, cancellable: true },
            async (progress, cancellation) => {
                const token = `intentls-vscode-${randomUUID()}`;
                let done = 0;
                const subscription = client.onProgress(WorkDoneProgress.type, token, (value) => {
                    if (value.kind === 'end') {
                        progress.report({ message: value.message });
                        return;
                    }
                    const percentage = value.percentage;
                    const increment =
                        percentage !== undefined && percentage > done ? percentage - done : undefined;
                    if (percentage !== undefined && percentage > done) {
                        done = percentage;
                    }
                    // A one-step intent's step is called like the intent: no "slow: slow".
                    const message = value.message === label ? undefined : value.message;
                    progress.report({ message, increment });
                });
                try {
                    return await client.sendRequest(
                        ExecuteCommandRequest.type,
                        { command, arguments: [...args], workDoneToken: token },
                        cancellation,
                    );
                } catch (err) {
                    if (err instanceof ResponseError && err.code === LSPErrorCodes.RequestCancelled) {
                        // The outcome still arrives as intentls/runFinished.
                        return undefined;
                    }
                    throw err;
                } finally {
                    subscription.dispose();
                }
            },
        );
    }

    private async present(command: string, result: unknown): Promise<void> {
        if (isRunResult(result)) {
            await this.presentRun(result);
        } else if (isUndoResult(result)) {
            await this.presentUndo(command, result);
        }
    }

    private async presentRun(result: RunResult): Promise<void> {
        const warnings = (result.warnings ?? []).map((w) => w.message);
        switch (result.status) {
            case 'blocked':
                await this.offerActions(result);
                return;
            case 'failed': {
                const step = result.steps.find((s) => s.status === 'failed');
                const why = step?.error?.message ?? (step ? `${step.title} exited with ${step.exitCode ?? '?'}` : '');
                const choice = await vscode.window.showErrorMessage(
                    `intentls: ${result.intent} failed${why ? `: ${why}` : ''}`,
                    'Show Output',
                );
                if (choice) {
                    this.view.output.show(true);
                }
                break;
            }
            case 'cancelled':
            case 'interrupted':
                void vscode.window.showInformationMessage(`intentls: ${result.intent} ${result.status}.`);
                break;
            default:
                if (warnings.length > 0) {
                    void vscode.window.showWarningMessage(`intentls: ${warnings.join(' ')}`);
                }
        }
        if (result.suggestions && result.suggestions.length > 0) {
            const top = result.suggestions.slice(0, 2);
            void vscode.window
                .showInformationMessage(
                    `intentls suggests: ${top.map((s) => `${s.title} (${s.reason})`).join('; ')}`,
                    ...top.map((s) => s.title),
                )
                .then((title) => {
                    const chosen = top.find((s) => s.title === title);
                    return chosen ? this.executeLspCommand(chosen.command) : undefined;
                })
                .then(undefined, (err: unknown) => showError(err));
        }
    }

    /** A blocked run's `actions`: a modal for a few, a QuickPick for more. */
    private async offerActions(result: RunResult): Promise<void> {
        const actions = result.actions ?? [];
        const message =
            (result.warnings ?? []).map((w) => w.message).join(' ') || `${result.intent} needs confirmation.`;
        let chosen: LspCommand | undefined;
        if (actions.length === 0) {
            void vscode.window.showWarningMessage(`intentls: ${message}`);
            return;
        } else if (actions.length <= 3) {
            const title = await vscode.window.showWarningMessage(
                `intentls: ${result.intent} did not start`,
                { modal: true, detail: message },
                ...actions.map((a) => a.title),
            );
            chosen = actions.find((a) => a.title === title);
        } else {
            const pick = await vscode.window.showQuickPick(
                actions.map((action) => ({ label: action.title, action })),
                { title: `intentls: ${result.intent} did not start`, placeHolder: message },
            );
            chosen = pick?.action;
        }
        if (chosen) {
            await this.executeLspCommand(chosen);
        }
    }

    private async presentUndo(command: string, result: UndoResult): Promise<void> {
        const verb = command === ServerCommand.redo ? 'Redo' : command === ServerCommand.rollback ? 'Rollback' : 'Undo';
        const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
        switch (result.status) {
            case 'undone':
                void vscode.window.showInformationMessage(
                    `intentls: ${verb} done, ${files(result.restored.length)} restored.`,
                );
                return;
            case 'nothing':
                void vscode.window.showInformationMessage(`intentls: nothing to ${verb.toLowerCase()}.`);
                return;
            case 'partial':
            case 'refused': {
                const conflicts = result.conflicts.map((c) => `${c.path}: ${c.reason}`).join('\n');
                const force = `${verb} Anyway`;
                const choice = await vscode.window.showWarningMessage(
                    `intentls: ${verb} ${result.status === 'partial' ? 'was partial' : 'was refused'}` +
                        (result.restored.length ? `, ${files(result.restored.length)} restored` : ''),
                    { modal: true, detail: conflicts },
                    ...(command === ServerCommand.undo ? [force] : []),
                );
                if (choice === force) {
                    await this.execute(command, [{ runId: result.runId, force: true }]);
                }
            }
        }
    }
}

export function showError(err: unknown): void {
    if (err instanceof NotSent || err instanceof vscode.CancellationError) {
        return;
    }
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`intentls: ${message}`);
}
