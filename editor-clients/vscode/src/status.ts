/** What the person sees of runs: the status-bar item and the run output channel. */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { Command, ContextKey, Notification, STATUS_ITEM_ID } from './constants';
import { OutputParams, RunResult, RunStartedParams } from './protocol';
import type { ServerState } from './server';

const STATUS_ICON: Record<RunResult['status'], string> = {
    running: '$(sync~spin)',
    succeeded: '$(check)',
    failed: '$(error)',
    cancelled: '$(circle-slash)',
    blocked: '$(warning)',
    interrupted: '$(debug-disconnect)',
};

export function formatDuration(ms: number): string {
    if (ms < 1000) {
        return `${Math.round(ms)} ms`;
    }
    if (ms < 60_000) {
        return `${(ms / 1000).toFixed(1)} s`;
    }
    return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "1 file", "3 files". */
export function plural(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatAgo(iso: string, now = Date.now()): string {
    const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
    if (Number.isNaN(seconds)) {
        return iso;
    }
    if (seconds < 60) {
        return 'just now';
    }
    if (seconds < 3600) {
        return `${Math.floor(seconds / 60)} min ago`;
    }
    if (seconds < 86400) {
        return `${Math.floor(seconds / 3600)} h ago`;
    }
    return `${Math.floor(seconds / 86400)} d ago`;
}

export function statusIcon(status: RunResult['status']): string {
    return STATUS_ICON[status] ?? '$(question)';
}

export class RunView implements vscode.Disposable {
    /** Run output, fed by `intentls/output`. */
    readonly output = vscode.window.createOutputChannel('intentls');
    private readonly item = vscode.window.createStatusBarItem(
        STATUS_ITEM_ID,
        vscode.StatusBarAlignment.Left,
        10,
    );
    /** Runs between `runStarted` and `runFinished`, by runId. */
    private readonly running = new Map<string, RunStartedParams>();
    /** The newest finished run. */
    private last: RunResult | undefined;
    private server: ServerState = { kind: 'starting' };
    /** The run whose output was written last, to label interleaved output. */
    private lastWriter: string | undefined;

    constructor() {
        this.item.name = 'intentls';
        this.render();
        this.item.show();
    }

    dispose(): void {
        this.item.dispose();
        this.output.dispose();
    }

    attach(client: LanguageClient): vscode.Disposable[] {
        return [
            client.onNotification(Notification.runStarted, (p: RunStartedParams) => this.runStarted(p)),
            client.onNotification(Notification.runFinished, (r: RunResult) => this.runFinished(r)),
            client.onNotification(Notification.output, (p: OutputParams) => this.write(p)),
        ];
    }

    setServerState(state: ServerState): void {
        this.server = state;
        if (state.kind !== 'ready') {
            this.running.clear();
        }
        if (state.kind === 'starting') {
            this.last = undefined;
        }
        this.render();
    }

    runStarted(params: RunStartedParams): void {
        this.running.set(params.runId, params);
        this.output.appendLine(`▶ ${params.intent}  (run ${params.runId}, ${new Date().toLocaleTimeString()})`);
        this.lastWriter = params.runId;
        this.render();
    }

    runFinished(result: RunResult): void {
        const started = this.running.get(result.runId);
        this.running.delete(result.runId);
        if (result.status !== 'running') {
            this.last = result;
        }
        const changed = result.changedFiles?.length ?? 0;
        this.output.appendLine(
            `■ ${started?.intent ?? result.intent}: ${result.status} in ${formatDuration(result.durationMs)}` +
                (changed ? `, ${plural(changed, 'file')} changed` : ''),
        );
        for (const step of result.steps ?? []) {
            if (step.error) {
                this.output.appendLine(`  ${step.title}: ${step.error.category}: ${step.error.message}`);
            }
        }
        this.lastWriter = undefined;
        this.render();
    }

    private write(params: OutputParams): void {
        if (this.lastWriter !== params.runId) {
            const intent = this.running.get(params.runId)?.intent ?? params.runId;
            this.output.appendLine(`── ${intent} · ${params.stepId}`);
            this.lastWriter = params.runId;
        }
        this.output.append(params.text);
    }

    private render(): void {
        const item = this.item;
        item.backgroundColor = undefined;
        void vscode.commands.executeCommand('setContext', ContextKey.runActive, this.running.size > 0);
        switch (this.server.kind) {
            case 'starting':
                item.text = '$(loading~spin) intentls: starting';
                item.tooltip = 'Starting the intentls server';
                item.command = Command.showOutput;
                return;
            case 'stopped':
                item.text = '$(debug-disconnect) intentls: stopped';
                item.tooltip = 'The intentls server stopped. Click to restart it.';
                item.command = Command.restartServer;
                return;
            case 'failed':
                item.text = '$(error) intentls: not running';
                item.tooltip = this.server.message;
                item.command = Command.restartServer;
                item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
                return;
            case 'ready':
                break;
        }
        if (this.running.size > 0) {
            const runs = [...this.running.values()];
            item.text =
                runs.length === 1
                    ? `$(sync~spin) intentls: running ${runs[0].intent}`
                    : `$(sync~spin) intentls: ${runs.length} runs`;
            item.tooltip = `${runs.map((r) => r.intent).join('\n')}\nClick to cancel the newest run.`;
            item.command = Command.cancelRun;
        } else if (this.last) {
            const r = this.last;
            item.text = `${statusIcon(r.status)} intentls: ${r.intent} ${r.status}`;
            item.tooltip = `${r.intent}: ${r.status} in ${formatDuration(r.durationMs)}. Click for the output.`;
            item.command = Command.showOutput;
            if (r.status === 'failed') {
                item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
            }
        } else {
            item.text = '$(terminal) intentls: ready';
            item.tooltip = 'intentls is running. Click to run an intent.';
            item.command = Command.pickAndRun;
        }
    }
}
