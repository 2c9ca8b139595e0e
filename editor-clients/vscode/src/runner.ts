/**
 * Sends server commands. Commands that run something go out with the extension's own
 * `workDoneToken`, shown as a cancellable notification; their results (blocked, failed, undo
 * outcomes) are presented here, whoever triggered them: palette, code action, lens, keybinding.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import {
    ExecuteCommandRequest,
    LanguageClient,
    LSPErrorCodes,
    ResponseError,
    WorkDoneProgress,
} from 'vscode-languageclient/node';
import { Command, RUNNING_COMMANDS, ServerCommand } from './constants';
import { foresee } from './failures';
import { SHOW_FULL_OUTPUT, openFullOutput } from './fullOutput';
import { LspCommand, RunResult, UndoResult, isRunResult, isUndoResult } from './protocol';
import { getClient, serverCommands, whenReady } from './server';
import { RunView, plural } from './status';
import { offerNext } from './suggest';
import { UP_TO_DATE, offerRunAnyway, upToDateSteps } from './uptodate';

const LABELS: Record<string, string> = {
    [ServerCommand.undo]: 'Undo',
    [ServerCommand.redo]: 'Redo',
    [ServerCommand.rollback]: 'Roll back',
};

type CommandArgs = Record<string, unknown>;

/** How a command that undoes is named to the person, and how it is sent again with `force`. */
interface UndoKind {
    verb: string;
    /** The message for status `nothing`. */
    nothing: string;
    /** Absent: the command has no `force`. */
    force?: {
        button: string;
        /** Why forcing is safe, shown with the conflicts. */
        note: string;
        args(sent: CommandArgs, result: UndoResult): CommandArgs;
    };
}

const UNSAVED_NOTE = 'Unsaved changes in the editor are replaced there, where its own Undo recovers them.';

const UNDO_KINDS: Record<string, UndoKind> = {
    [ServerCommand.undo]: {
        verb: 'Undo',
        nothing: 'nothing to undo.',
        force: {
            button: 'Undo Anyway',
            note: `Undo Anyway saves the present state first, so nothing is lost: "Intent: Redo" brings it back. ${UNSAVED_NOTE}`,
            // `runId`: the run that was undone (the newest one when none was named).
            args: (sent, result) => ({ ...sent, runId: result.runId, force: true }),
        },
    },
    [ServerCommand.redo]: { verb: 'Redo', nothing: 'nothing to redo.' },
    [ServerCommand.rollback]: {
        verb: 'Rollback',
        nothing: 'nothing to roll back: no file changed since the checkpoint.',
        force: {
            button: 'Roll Back Anyway',
            note: `Roll Back Anyway saves the present state first, so nothing is lost: "Intent: Undo Last" brings it back. ${UNSAVED_NOTE}`,
            // Not `runId`: a rollback's result names its own run, not the checkpoint.
            args: (sent) => ({ ...sent, force: true }),
        },
    },
};

/** Forcing cannot help a refusal on "." (a run of the folder is running; docs/protocol.md). */
function forceCanHelp(result: UndoResult): boolean {
    return result.conflicts.some((c) => c.path !== '.');
}

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
        const client = await this.clientFor(command);
        if (!RUNNING_COMMANDS.has(command)) {
            return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [...args] });
        }
        const note = await this.foresee(client, command, args);
        if (note === false) {
            return undefined; // the person chose not to run what will probably fail
        }
        const result = await this.withProgress(command, args, note);
        await this.present(command, args, result);
        return result;
    }

    /**
     * The running client once a pending (re)start has settled, if its server advertises every
     * one of `commands`. Otherwise tells the person why not and throws `NotSent`.
     */
    async clientFor(...commands: string[]): Promise<LanguageClient> {
        const client = await whenReady();
        if (!client) {
            void vscode.window
                .showErrorMessage('The intentls server is not running.', 'Restart Server')
                .then((choice) => choice && vscode.commands.executeCommand(Command.restartServer));
            throw new NotSent('server not running');
        }
        const missing = commands.find((command) => !this.supports(command));
        if (missing) {
            void vscode.window.showInformationMessage(`intentls server does not support ${missing} yet.`);
            throw new NotSent(`unsupported: ${missing}`);
        }
        return client;
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

    /** A run (not a dry run, not one the person already confirmed) is predicted first. */
    private async foresee(client: LanguageClient, command: string, args: readonly unknown[]): Promise<string | false | undefined> {
        const arg = (args[0] ?? {}) as Record<string, unknown>;
        if (command !== ServerCommand.run || arg.dryRun || arg.confirm || !this.supports(ServerCommand.plan)) {
            return undefined;
        }
        return foresee(client, arg);
    }

    private async withProgress(command: string, args: readonly unknown[], note?: string): Promise<unknown> {
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
                if (note) {
                    progress.report({ message: note });
                }
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

    private async present(command: string, args: readonly unknown[], result: unknown): Promise<void> {
        if (isRunResult(result)) {
            await this.presentRun((args[0] ?? {}) as CommandArgs, result);
        } else if (isUndoResult(result)) {
            await this.presentUndo(command, (args[0] ?? {}) as CommandArgs, result);
        }
    }

    private async presentRun(sent: CommandArgs, result: RunResult): Promise<void> {
        const warnings = (result.warnings ?? []).filter((w) => w.kind !== UP_TO_DATE).map((w) => w.message);
        switch (result.status) {
            case 'blocked':
                await this.offerActions(result);
                return;
            case 'failed': {
                const step = result.steps.find((s) => s.status === 'failed');
                const why = step?.error?.message ?? (step ? `${step.title} exited with ${step.exitCode ?? '?'}` : '');
                const full = this.supports(ServerCommand.output) ? [SHOW_FULL_OUTPUT] : [];
                const choice = await vscode.window.showErrorMessage(
                    `intentls: ${result.intent} failed${why ? `: ${why}` : ''}`,
                    'Show Output',
                    ...full,
                );
                if (choice === SHOW_FULL_OUTPUT) {
                    await this.clientFor(ServerCommand.output)
                        .then((client) => openFullOutput(client, {}, result.runId))
                        .catch(showError);
                } else if (choice) {
                    this.view.output.show(true);
                }
                break;
            }
            case 'cancelled':
            case 'interrupted':
                void vscode.window.showInformationMessage(`intentls: ${result.intent} ${result.status}.`);
                break;
            default:
                if (upToDateSteps(result).length > 0) {
                    offerRunAnyway(this, sent, result, () => this.view.output.show(true));
                }
                if (warnings.length > 0) {
                    void vscode.window.showWarningMessage(`intentls: ${warnings.join(' ')}`);
                }
        }
        offerNext(this, result);
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

    private async presentUndo(command: string, sent: CommandArgs, result: UndoResult): Promise<void> {
        const kind = UNDO_KINDS[command] ?? UNDO_KINDS[ServerCommand.undo];
        switch (result.status) {
            case 'undone':
                void vscode.window.showInformationMessage(
                    `intentls: ${kind.verb} done, ${plural(result.restored.length, 'file')} restored.`,
                );
                return;
            case 'nothing':
                void vscode.window.showInformationMessage(`intentls: ${kind.nothing}`);
                return;
            case 'partial':
            case 'refused':
                await this.offerForce(command, kind, sent, result);
        }
    }

    /** The conflicts of a partial or refused result, and the same command with `force`. */
    private async offerForce(
        command: string,
        kind: UndoKind,
        sent: CommandArgs,
        result: UndoResult,
    ): Promise<void> {
        const force = forceCanHelp(result) ? kind.force : undefined;
        const conflicts = result.conflicts.map((c) => `${c.path}: ${c.reason}`).join('\n');
        const choice = await vscode.window.showWarningMessage(
            `intentls: ${kind.verb} ${result.status === 'partial' ? 'was partial' : 'was refused'}` +
                (result.restored.length ? `, ${plural(result.restored.length, 'file')} restored` : ''),
            { modal: true, detail: [conflicts, force?.note].filter(Boolean).join('\n\n') },
            ...(force ? [force.button] : []),
        );
        if (force && choice === force.button) {
            await this.execute(command, [force.args(sent, result)]);
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
