/**
 * "Intent: Show Stats": how the folder's runs went (intentls.stats), as a Markdown document
 * beside the editor: totals, per intent, slowest steps, failures, trends and flaky intents.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient } from 'vscode-languageclient/node';
import { ServerCommand } from './constants';

interface Window { runs: number; successRate: number; p50Ms: number }
export interface Stats {
    runs: number;
    successRate: number;
    durationMs: { p50: number; p95: number; p99: number };
    durationError: number;
    byIntent: { intent: string; runs: number; successRate: number; p50Ms: number }[];
    topFailures: { category: string; count: number; example: string }[];
    undo: { undone: number; undoable: number; rate: number };
    retries: { retries: number; recovered: number };
    slowestSteps: { intent: string; title: string; runs: number; p50Ms: number; p95Ms: number }[];
    trends: { intent: string; thisWeek: Window; lastFourWeeks: Window; slower: boolean; failingMore: boolean }[];
    flaky: { intent: string; runs: number; flips: number }[];
}

const seconds = (ms: number) => (ms < 60000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60000).toFixed(1)} min`);
const percent = (rate: number) => `${Math.round(rate * 100)} %`;

/** The Markdown shown for a Stats answer. */
export function markdown(s: Stats): string {
    if (!s.runs) {
        return '# Intent stats\n\nNo finished runs yet.\n';
    }
    const d = s.durationMs;
    const table = (head: string[], rows: string[][]) =>
        rows.length ? [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n') : '';
    return [
        '# Intent stats',
        `**${s.runs} runs** · ${percent(s.successRate)} succeeded · p50 ${seconds(d.p50)} · p95 ${seconds(d.p95)} · ` +
            `p99 ${seconds(d.p99)} (±${Math.round(s.durationError * 100)} %)`,
        `Undone ${s.undo.undone} of ${s.undo.undoable} undoable · retries ${s.retries.retries}, recovered ${s.retries.recovered}`,
        '## By intent',
        table(['intent', 'runs', 'success', 'p50'], s.byIntent.map((i) => [i.intent, `${i.runs}`, percent(i.successRate), seconds(i.p50Ms)])),
        '## Slowest steps',
        table(['intent', 'step', 'p50', 'p95'], s.slowestSteps.map((i) => [i.intent, i.title, seconds(i.p50Ms), seconds(i.p95Ms)])),
        '## Top failures',
        table(['category', 'count', 'example'], s.topFailures.map((f) => [f.category, `${f.count}`, f.example])),
        '## This week against the four before',
        table(['intent', 'p50', 'before', 'success', 'before', ''], s.trends.map((t) => [
            t.intent, seconds(t.thisWeek.p50Ms), seconds(t.lastFourWeeks.p50Ms), percent(t.thisWeek.successRate),
            percent(t.lastFourWeeks.successRate), [t.slower ? 'slower' : '', t.failingMore ? 'failing more' : ''].join(' ').trim(),
        ])),
        '## Flaky',
        table(['intent', 'runs', 'flips'], s.flaky.map((f) => [f.intent, `${f.runs}`, `${f.flips}`])),
    ].join('\n\n') + '\n';
}

/** Asks the server and opens the Markdown beside the editor. */
export async function showStats(client: LanguageClient, target: { uri?: string; cwd?: string }): Promise<void> {
    const stats = (await client.sendRequest(ExecuteCommandRequest.type, {
        command: ServerCommand.stats,
        arguments: [target],
    })) as Stats;
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown(stats) });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}
