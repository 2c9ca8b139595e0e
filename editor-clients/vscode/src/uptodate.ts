/**
 * Up-to-date skipping (intents.toml `upToDate` / `inputs` / `outputs`): the server skipped a
 * run's steps because nothing they read changed since their last success, and replayed their
 * output. The finished run's notification says so and offers "Run Anyway", which sends the same
 * request again with `force: true`.
 */
import * as vscode from 'vscode';
import { ServerCommand } from './constants';
import { RUN_ANYWAY } from './failures';
import { RunResult } from './protocol';
import type { Runner } from './runner';
import { showError } from './runner';

const SHOW_OUTPUT = 'Show Output';

/** The warning kind the server gives a run with steps skipped as up to date. */
export const UP_TO_DATE = 'upToDate';

/** The titles of the steps the server skipped as up to date. */
export function upToDateSteps(result: RunResult): string[] {
    return result.steps.filter((step) => step.upToDate).map((step) => step.title);
}

/** The request as sent, forced; a suggestion taken once is not counted again. */
export function forced(sent: Record<string, unknown>): Record<string, unknown> {
    const { suggestionId: _taken, ...request } = sent;
    return { ...request, force: true };
}

/**
 * Says which steps were up to date; "Run Anyway" runs the same request with `force`, "Show
 * Output" shows the replayed output. Not awaited by the caller: the run is over.
 */
export function offerRunAnyway(
    runner: Runner,
    sent: Record<string, unknown>,
    result: RunResult,
    showOutput: () => void,
): void {
    const steps = upToDateSteps(result);
    const what =
        steps.length === result.steps.length ? `${result.intent} is up to date` : `${result.intent}: ${steps.join(', ')} up to date`;
    void vscode.window
        .showInformationMessage(
            `intentls: ${what}, not run (nothing it reads changed since its last success; its last output is replayed).`,
            RUN_ANYWAY,
            SHOW_OUTPUT,
        )
        .then(async (choice) => {
            if (choice === RUN_ANYWAY) {
                await runner.execute(ServerCommand.run, [forced(sent)]);
            } else if (choice === SHOW_OUTPUT) {
                showOutput();
            }
        })
        .then(undefined, (err: unknown) => showError(err));
}
