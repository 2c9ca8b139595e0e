/** Names shared with the server (PROTOCOL.md) and the ids this extension contributes. */

export const EXTENSION_NAME = 'intentls';
export const CONFIG_SECTION = 'intentls';

/** Commands the server implements (`workspace/executeCommand`). */
export const ServerCommand = {
    run: 'intentls.run',
    plan: 'intentls.plan',
    list: 'intentls.list',
    cancel: 'intentls.cancel',
    history: 'intentls.history',
    stats: 'intentls.stats',
    undo: 'intentls.undo',
    redo: 'intentls.redo',
    checkpoint: 'intentls.checkpoint',
    checkpoints: 'intentls.checkpoints',
    rollback: 'intentls.rollback',
    suggest: 'intentls.suggest',
    feedback: 'intentls.feedback',
    explain: 'intentls.explain',
    runOutput: 'intentls.runOutput',
    output: 'intentls.output',
} as const;

/** Server commands that run something: sent by the extension with its own progress token. */
export const RUNNING_COMMANDS: ReadonlySet<string> = new Set([
    ServerCommand.run,
    ServerCommand.undo,
    ServerCommand.redo,
    ServerCommand.rollback,
]);

/**
 * The extension's own palette commands. vscode-languageclient registers every command the
 * server advertises under its own id, so these must differ from the `ServerCommand` ids.
 */
export const Command = {
    pickAndRun: 'intentls.pickAndRun',
    runAnyway: 'intentls.runAnyway',
    runLast: 'intentls.runLast',
    undoLast: 'intentls.undoLast',
    redoLast: 'intentls.redoLast',
    showHistory: 'intentls.showHistory',
    cancelRun: 'intentls.cancelRun',
    createCheckpoint: 'intentls.createCheckpoint',
    rollbackToCheckpoint: 'intentls.rollbackToCheckpoint',
    suggestNext: 'intentls.suggestNext',
    restartServer: 'intentls.restartServer',
    showOutput: 'intentls.showOutput',
    whyDidItFail: 'intentls.whyDidItFail',
    showStats: 'intentls.showStats',
    showFullOutput: 'intentls.showFullOutput',
} as const;

/** Custom notifications (server to client unless noted). */
export const Notification = {
    output: 'intentls/output',
    runStarted: 'intentls/runStarted',
    runFinished: 'intentls/runFinished',
    /** client to server */
    setTrust: 'intentls/setTrust',
} as const;

/** Context keys for `when` clauses. */
export const ContextKey = {
    running: 'intentls.serverRunning',
    runActive: 'intentls.runActive',
} as const;

/**
 * The context key that hides a palette command while the running server does not advertise a
 * server command it sends (`commandPalette` `when` clauses in package.json).
 */
export function unsupportedKey(paletteCommand: string): string {
    return `intentls.unsupported.${paletteCommand}`;
}

/** Keys in the extension's workspace state. */
export const StateKey = {
    lastIntent: 'intentls.lastIntent',
} as const;

export const STATUS_ITEM_ID = 'intentls.status';
