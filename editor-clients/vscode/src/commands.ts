/** The extension's palette commands. */
import * as vscode from 'vscode';
import { Command, ServerCommand, StateKey, unsupportedKey } from './constants';
import { CheckpointInfo, IntentInfo, Plan, RunSummary } from './protocol';
import { whyDidItFail } from './failures';
import { openFullOutput, pickFullOutput } from './fullOutput';
import { ReadingPreview } from './reading';
import { showStats } from './stats';
import { NotSent, Runner, showError } from './runner';
import { getClient, restartServer, serverCommands } from './server';
import { pickSuggestion } from './suggest';
import { RunView, formatAgo, formatDuration, plural, statusIcon } from './status';

/** Where a command applies: the active file's folder, else the only or a chosen folder. */
type Target = { uri?: string; cwd?: string };

interface LastIntent {
    intent: string;
    params?: Record<string, string>;
}

/** The server commands each palette command sends: hidden while the server lacks one. */
export const PALETTE_NEEDS: Readonly<Record<string, readonly string[]>> = {
    [Command.pickAndRun]: [ServerCommand.run, ServerCommand.list],
    // `force` came with up-to-date skipping: a server without it never skips a step.
    [Command.runAnyway]: [ServerCommand.run, ServerCommand.list],
    [Command.runLast]: [ServerCommand.run],
    [Command.undoLast]: [ServerCommand.undo],
    [Command.redoLast]: [ServerCommand.redo],
    [Command.showHistory]: [ServerCommand.history],
    [Command.cancelRun]: [ServerCommand.cancel],
    [Command.createCheckpoint]: [ServerCommand.checkpoint],
    [Command.rollbackToCheckpoint]: [ServerCommand.checkpoints, ServerCommand.rollback],
    [Command.suggestNext]: [ServerCommand.suggest],
    [Command.whyDidItFail]: [ServerCommand.explain],
    [Command.showStats]: [ServerCommand.stats],
    [Command.showFullOutput]: [ServerCommand.output, ServerCommand.history],
};

const RUN_TITLE = 'Intent: Run…';
const RUN_ANYWAY_TITLE = 'Intent: Run Anyway (ignore up-to-date)';

interface IntentItem extends vscode.QuickPickItem {
    intent: string;
    info?: IntentInfo;
}

export function registerCommands(
    context: vscode.ExtensionContext,
    runner: Runner,
    view: RunView,
): void {
    const commands = new PaletteCommands(context.workspaceState, runner, view);
    const table: [string, () => Promise<unknown>][] = [
        [Command.pickAndRun, () => commands.pickAndRun()],
        [Command.runAnyway, () => commands.pickAndRun({ force: true })],
        [Command.runLast, () => commands.runLast()],
        [Command.undoLast, () => commands.undoOrRedo(ServerCommand.undo)],
        [Command.redoLast, () => commands.undoOrRedo(ServerCommand.redo)],
        [Command.showHistory, () => commands.showHistory()],
        [Command.cancelRun, () => commands.cancelRun()],
        [Command.createCheckpoint, () => commands.createCheckpoint()],
        [Command.rollbackToCheckpoint, () => commands.rollbackToCheckpoint()],
        [Command.suggestNext, () => commands.suggestNext()],
        [Command.restartServer, () => restartServer()],
        [Command.showOutput, async () => view.output.show(true)],
        [Command.whyDidItFail, () => commands.whyDidItFail()],
        [Command.showStats, () => commands.showStats()],
        [Command.showFullOutput, () => commands.showFullOutput()],
    ];
    for (const [id, handler] of table) {
        context.subscriptions.push(
            vscode.commands.registerCommand(id, async () => {
                try {
                    await handler();
                } catch (err) {
                    showError(err);
                }
            }),
        );
    }
}

/**
 * Hides the palette commands whose server commands the running server does not advertise.
 * With no server running they stay: running one waits for the server or says why it is down.
 */
export function updateOfferedCommands(): void {
    const running = getClient() !== undefined;
    const advertised = serverCommands();
    for (const [command, needs] of Object.entries(PALETTE_NEEDS)) {
        const lacking = running && !needs.every((need) => advertised.includes(need));
        void vscode.commands.executeCommand('setContext', unsupportedKey(command), lacking);
    }
}

class PaletteCommands {
    constructor(
        private readonly state: vscode.Memento,
        private readonly runner: Runner,
        private readonly view: RunView,
    ) {}

    /** "Intent: Run…"; with `force`, "Intent: Run Anyway": steps up to date run all the same. */
    async pickAndRun({ force = false } = {}): Promise<void> {
        const target = await pickTarget();
        if (!target) {
            return;
        }
        const chosen = await this.pickIntent(target, force ? RUN_ANYWAY_TITLE : RUN_TITLE);
        if (!chosen) {
            return;
        }
        const params = chosen.info?.params?.length ? await askParams(chosen.info) : undefined;
        if (chosen.info?.params?.length && !params) {
            return;
        }
        await this.run({ intent: chosen.intent, params }, target, force);
    }

    async runLast(): Promise<void> {
        const target = await pickTarget();
        if (!target) {
            return;
        }
        let last = this.state.get<LastIntent>(StateKey.lastIntent);
        if (!last && this.runner.supports(ServerCommand.history)) {
            const newest = (await this.history({ ...target, limit: 1 }))?.[0];
            last = newest ? { intent: newest.intent } : undefined;
        }
        if (!last) {
            void vscode.window.showInformationMessage('intentls: no intent has run yet. Use "Intent: Run…".');
            return;
        }
        await this.run(last, target);
    }

    async suggestNext(): Promise<void> {
        const target = await pickTarget();
        if (target) {
            await pickSuggestion(this.runner, target);
        }
    }

    async undoOrRedo(command: string): Promise<void> {
        const target = await pickTarget();
        if (target) {
            await this.runner.execute(command, [target]);
        }
    }

    async showStats(): Promise<void> {
        const client = await this.runner.clientFor(ServerCommand.stats);
        const target = await pickTarget();
        if (target) {
            await showStats(client, target);
        }
    }

    async showFullOutput(): Promise<void> {
        const client = await this.runner.clientFor(...PALETTE_NEEDS[Command.showFullOutput]);
        const target = await pickTarget();
        if (target) {
            await pickFullOutput(client, target);
        }
    }

    async whyDidItFail(): Promise<void> {
        const client = await this.runner.clientFor(ServerCommand.explain);
        const target = await pickTarget();
        if (target) {
            await whyDidItFail(client, target, () => this.view.output.show(true));
        }
    }

    async cancelRun(): Promise<void> {
        const target = await pickTarget();
        if (target) {
            // The run's own request and intentls/runFinished report the outcome.
            await this.runner.execute(ServerCommand.cancel, [target]);
        }
    }

    async createCheckpoint(): Promise<void> {
        if (!this.runner.supports(ServerCommand.checkpoint)) {
            await this.runner.execute(ServerCommand.checkpoint, []); // says it is not supported
            return;
        }
        const target = await pickTarget();
        if (!target) {
            return;
        }
        const name = await vscode.window.showInputBox({
            title: 'Intent: Create Checkpoint',
            prompt: 'A name for the checkpoint (optional)',
        });
        if (name === undefined) {
            return;
        }
        const result = (await this.runner.execute(ServerCommand.checkpoint, [
            { ...target, ...(name.trim() ? { name: name.trim() } : {}) },
        ])) as { checkpointId?: string } | undefined;
        void vscode.window.showInformationMessage(
            `intentls: checkpoint ${result?.checkpointId ?? ''} created${name.trim() ? ` (${name.trim()})` : ''}.`,
        );
    }

    async rollbackToCheckpoint(): Promise<void> {
        await this.runner.clientFor(...PALETTE_NEEDS[Command.rollbackToCheckpoint]);
        const target = await pickTarget();
        if (!target) {
            return;
        }
        const checkpoints = (await this.runner.execute(ServerCommand.checkpoints, [target])) as CheckpointInfo[];
        if (checkpoints.length === 0) {
            await offerToCreateCheckpoint();
            return;
        }
        const checkpoint = await pickCheckpoint(checkpoints);
        if (checkpoint && (await confirmRollback(checkpoint))) {
            // The runner shows the result, and offers to force it past conflicts.
            await this.runner.execute(ServerCommand.rollback, [{ checkpointId: checkpoint.checkpointId }]);
        }
    }

    async showHistory(): Promise<void> {
        const target = await pickTarget();
        if (!target) {
            return;
        }
        const runs = await this.history({ ...target, limit: 50 });
        if (runs === undefined) {
            return;
        }
        const pick = await vscode.window.showQuickPick(
            runs.map((run) => ({
                label: `${statusIcon(run.status)} ${run.intent}`,
                description: [run.status, formatAgo(run.startedAt), formatDuration(run.durationMs)].join(' · '),
                detail: run.undone ? 'undone' : run.undoable ? 'undoable' : undefined,
                run,
            })),
            { title: 'Intent: History', placeHolder: runs.length ? 'Newest first. Pick a run to act on it.' : 'No runs yet.' },
        );
        if (pick) {
            await this.actOn(pick.run, target);
        }
    }

    private async actOn(run: RunSummary, target: Target): Promise<void> {
        type Action = vscode.QuickPickItem & { act: () => Promise<unknown> };
        const actions: Action[] = [
            { label: '$(play) Run again', act: () => this.run({ intent: run.intent }, target) },
        ];
        if (run.status === 'running') {
            actions.push({
                label: '$(circle-slash) Cancel',
                act: () => this.runner.execute(ServerCommand.cancel, [{ runId: run.runId }]),
            });
        }
        if (run.undoable && !run.undone && this.runner.supports(ServerCommand.undo)) {
            actions.push({
                label: '$(discard) Undo this run',
                act: () => this.runner.execute(ServerCommand.undo, [{ ...target, runId: run.runId }]),
            });
        }
        if (run.undone && this.runner.supports(ServerCommand.redo)) {
            actions.push({
                label: '$(redo) Redo this run',
                act: () => this.runner.execute(ServerCommand.redo, [{ ...target, runId: run.runId }]),
            });
        }
        actions.push({ label: '$(output) Show output', act: async () => this.view.output.show(true) });
        if (run.status !== 'blocked' && this.runner.supports(ServerCommand.output)) {
            actions.push({
                label: '$(file) Show full output',
                act: async () => openFullOutput(await this.runner.clientFor(ServerCommand.output), target, run.runId),
            });
        }
        const choice = await vscode.window.showQuickPick(actions, {
            title: `${run.intent} · ${run.status} · ${formatAgo(run.startedAt)}`,
        });
        await choice?.act();
    }

    private async run(last: LastIntent, target: Target, force = false): Promise<void> {
        await this.state.update(StateKey.lastIntent, last);
        await this.runner.execute(ServerCommand.run, [
            {
                ...target,
                intent: last.intent,
                ...(last.params ? { params: last.params } : {}),
                ...(force ? { force: true } : {}),
            },
        ]);
    }

    private async history(args: Record<string, unknown>): Promise<RunSummary[] | undefined> {
        return (await this.runner.execute(ServerCommand.history, [args])) as RunSummary[] | undefined;
    }

    /** QuickPick of `intentls.list`, recent first, with the last status; free text accepted. */
    private pickIntent(target: Target, title: string): Promise<IntentItem | undefined> {
        const qp = vscode.window.createQuickPick<IntentItem>();
        qp.title = title;
        qp.placeholder =
            'An intent: "test", "$ pytest -x", "lint and typecheck then test" (in "$ …", and/then split only before an intent)';
        qp.matchOnDescription = true;
        qp.matchOnDetail = true;
        qp.busy = true;
        let listed: IntentItem[] = [];
        const preview = this.runner.supports(ServerCommand.plan)
            ? new ReadingPreview(
                  (text) => this.runner.execute(ServerCommand.plan, [{ ...target, intent: text }]) as Promise<Plan>,
                  () => refresh(),
              )
            : undefined;
        const refresh = () => {
            const text = qp.value.trim();
            const exact = listed.some((item) => item.intent === text || item.label === text);
            const typed: IntentItem[] =
                text && !exact
                    ? [
                          {
                              label: text,
                              description: 'run as typed',
                              detail: preview?.line(text),
                              intent: text,
                              alwaysShow: true,
                          },
                      ]
                    : [];
            qp.items = [...typed, ...listed];
        };
        this.intentItems(target)
            .then((items) => {
                listed = items;
                refresh();
            }, showErrorUnlessNotSent)
            .finally(() => (qp.busy = false));
        return new Promise((resolve) => {
            let accepted: IntentItem | undefined;
            qp.onDidChangeValue(() => {
                preview?.request(qp.value.trim());
                refresh();
            });
            qp.onDidAccept(() => {
                const text = qp.value.trim();
                accepted = qp.selectedItems[0] ?? (text ? { label: text, intent: text } : undefined);
                qp.hide();
            });
            qp.onDidHide(() => {
                preview?.dispose();
                qp.dispose();
                resolve(accepted);
            });
            qp.show();
        });
    }

    private async intentItems(target: Target): Promise<IntentItem[]> {
        const [intents, runs] = await Promise.all([
            this.runner.execute(ServerCommand.list, [target]) as Promise<IntentInfo[]>,
            this.runner.supports(ServerCommand.history)
                ? this.history({ ...target, limit: 200 }).catch(() => [])
                : Promise.resolve([]),
        ]);
        const newest = new Map<string, RunSummary>();
        for (const run of runs ?? []) {
            if (!newest.has(run.intent)) {
                newest.set(run.intent, run);
            }
        }
        const counts = new Map<string, number>();
        for (const info of intents) {
            counts.set(info.name, (counts.get(info.name) ?? 0) + 1);
        }
        const items = intents.map((info): IntentItem & { at: number } => {
            const intent = (counts.get(info.name) ?? 0) > 1 ? `${info.source}:${info.name}` : info.name;
            const last = newest.get(intent) ?? newest.get(info.name);
            const lastText = last ? `${statusIcon(last.status)} ${last.status} ${formatAgo(last.startedAt)}` : '';
            const detail = info.description ?? (info.title !== info.name ? info.title : undefined);
            return {
                label: intent,
                description: [info.source, lastText].filter(Boolean).join(' · '),
                detail,
                intent,
                info,
                at: last ? Date.parse(last.startedAt) : 0,
            };
        });
        items.sort((a, b) => b.at - a.at || a.label.localeCompare(b.label));
        return items.map(({ at: _at, ...item }) => item);
    }
}

function showErrorUnlessNotSent(err: unknown): void {
    if (!(err instanceof NotSent)) {
        showError(err);
    }
}

async function offerToCreateCheckpoint(): Promise<void> {
    const create = 'Create Checkpoint';
    const choice = await vscode.window.showInformationMessage(
        'intentls: this folder has no checkpoints yet. "Intent: Create Checkpoint" records one ' +
            'to roll back to later.',
        create,
    );
    if (choice === create) {
        await vscode.commands.executeCommand(Command.createCheckpoint);
    }
}

/** A QuickPick of the checkpoints, newest first: name, age and date, how many paths. */
async function pickCheckpoint(checkpoints: CheckpointInfo[]): Promise<CheckpointInfo | undefined> {
    const pick = await vscode.window.showQuickPick(
        checkpoints.map((checkpoint) => ({
            label: `$(history) ${checkpoint.name}`,
            description: `${formatAgo(checkpoint.createdAt)} · ${plural(checkpoint.paths, 'path')}`,
            detail: new Date(checkpoint.createdAt).toLocaleString(),
            checkpoint,
        })),
        {
            title: 'Intent: Roll Back to Checkpoint…',
            placeHolder: 'Newest first. Pick the checkpoint to return the folder to.',
            matchOnDescription: true,
            matchOnDetail: true,
        },
    );
    return pick?.checkpoint;
}

async function confirmRollback(checkpoint: CheckpointInfo): Promise<boolean> {
    const rollBack = 'Roll Back';
    const choice = await vscode.window.showWarningMessage(
        `Roll back «${checkpoint.name}»?`,
        {
            modal: true,
            detail:
                `Files changed since ${new Date(checkpoint.createdAt).toLocaleString()} are ` +
                'restored to how they were then. The present state is saved first: the rollback ' +
                'itself can be undone ("Intent: Undo Last").',
        },
        rollBack,
    );
    return choice === rollBack;
}

async function askParams(info: IntentInfo): Promise<Record<string, string> | undefined> {
    const params: Record<string, string> = {};
    for (const param of info.params ?? []) {
        const value = await vscode.window.showInputBox({
            title: `${info.name}: ${param.name}`,
            prompt: param.description ?? param.name,
            value: param.default,
        });
        if (value === undefined) {
            return undefined;
        }
        params[param.name] = value;
    }
    return params;
}

async function pickTarget(): Promise<Target | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(doc.uri)) {
        return { uri: doc.uri.toString() };
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length <= 1) {
        return folders[0] ? { cwd: folders[0].uri.toString() } : {};
    }
    const folder = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder?' });
    return folder ? { cwd: folder.uri.toString() } : undefined;
}
