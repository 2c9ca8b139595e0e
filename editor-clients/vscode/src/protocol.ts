/** Shapes of PROTOCOL.md version 1, as the extension reads them. */

export interface LspCommand {
    title: string;
    command: string;
    arguments?: unknown[];
}

export interface Warning {
    kind: string;
    message: string;
}

export interface StepResult {
    id: string;
    title: string;
    status: 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'running';
    exitCode?: number;
    durationMs: number;
    attempts: number;
    error?: { category: string; message: string };
    /** Skipped because nothing it reads changed since its last success (status `skipped`). */
    upToDate?: boolean;
}

export interface Suggestion {
    id: string;
    title: string;
    reason: string;
    confidence: number;
    command: LspCommand;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'blocked' | 'interrupted';

export interface RunResult {
    runId: string;
    intent: string;
    folder: string;
    status: RunStatus;
    durationMs: number;
    steps: StepResult[];
    undoable: boolean;
    changedFiles: string[];
    warnings?: Warning[];
    actions?: LspCommand[];
    suggestions?: Suggestion[];
}

export interface PlanStep {
    id: string;
    title: string;
    tool: string;
    dependsOn: string[];
    risk: number;
}

export interface Plan {
    goal: string;
    steps: PlanStep[];
    warnings: Warning[];
    predictedSuccess?: number;
    /** How the text was read: stages (`then`) of intents (`and`), each as typed. */
    reading?: string[][];
}

/** `intentls.explain`: a failed run beside the intent's last success (PROTOCOL.md v1.1). */
export interface Explanation {
    runId: string;
    intent: string;
    status: RunStatus;
    comparedWith?: string;
    summary: string;
    changedFiles: string[];
    env: { name: string; change: 'added' | 'removed' | 'changed' }[];
    newErrors: string[];
    durationMs: { this: number; usual?: number };
    flaky: boolean;
}

export interface UndoResult {
    runId: string;
    undoRunId?: string;
    status: 'undone' | 'partial' | 'refused' | 'nothing';
    restored: string[];
    conflicts: { path: string; reason: string }[];
}

/** An element of `intentls.checkpoints` (docs/protocol.md), newest first. */
export interface CheckpointInfo {
    checkpointId: string;
    name: string;
    folder: string;
    createdAt: string;
    /** How many paths (files, links, directories) it holds. */
    paths: number;
}

export interface IntentInfo {
    name: string;
    title: string;
    description?: string;
    source: string;
    folder: string;
    params?: { name: string; description?: string; default?: string }[];
}

export interface RunSummary {
    runId: string;
    intent: string;
    folder: string;
    status: RunStatus;
    startedAt: string;
    durationMs: number;
    undoable: boolean;
    undone: boolean;
}

export interface RunStartedParams {
    runId: string;
    intent: string;
    folder: string;
    workDoneToken?: string | number;
}

export interface OutputParams {
    runId: string;
    stepId: string;
    stream: 'stdout' | 'stderr';
    text: string;
}

export function isRunResult(value: unknown): value is RunResult {
    return typeof value === 'object' && value !== null && 'runId' in value && 'steps' in value;
}

export function isUndoResult(value: unknown): value is UndoResult {
    return typeof value === 'object' && value !== null && 'restored' in value && 'conflicts' in value;
}
