/** The extension's settings, and how they reach the server. */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from './constants';

/** Settings the server reads from `initializationOptions` and the `intentls` section. */
export interface ServerSettings {
    maxParallel?: number;
    retentionDays?: number;
    undo?: {
        enabled?: boolean;
        maxFileBytes?: number;
        exclude?: string[];
        maxStoreBytes?: number;
    };
    suggestions?: { enabled?: boolean };
}

export interface InitializationOptions extends ServerSettings {
    historyPath?: string;
    trusted: boolean;
    prompts: boolean;
}

export interface LaunchSettings {
    /** `intentls.server.path`: the `intentls` executable. */
    path?: string;
    /** `intentls.server.python`: an interpreter that can `python -m intentls`. */
    python?: string;
}

/**
 * A setting's value only when the person set it somewhere: the server keeps its own default
 * for an absent key, and a default written here would override it.
 */
function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
    const info = config.inspect<T>(key);
    if (info === undefined) {
        return undefined;
    }
    const value =
        info.workspaceFolderLanguageValue ??
        info.workspaceFolderValue ??
        info.workspaceLanguageValue ??
        info.workspaceValue ??
        info.globalLanguageValue ??
        info.globalValue;
    return value === null ? undefined : value;
}

function nonEmpty(value: string | undefined): string | undefined {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
}

function prune<T extends object>(value: T): T | undefined {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length > 0 ? (Object.fromEntries(entries) as T) : undefined;
}

/** The `intentls` configuration section as PROTOCOL.md names it, set keys only. */
export function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION, scope);
    return (
        prune<ServerSettings>({
            maxParallel: explicit<number>(config, 'maxParallel'),
            retentionDays: explicit<number>(config, 'retentionDays'),
            undo: prune({
                enabled: explicit<boolean>(config, 'undo.enabled'),
                maxFileBytes: explicit<number>(config, 'undo.maxFileBytes'),
                exclude: explicit<string[]>(config, 'undo.exclude'),
                maxStoreBytes: explicit<number>(config, 'undo.maxStoreBytes'),
            }),
            suggestions: prune({ enabled: explicit<boolean>(config, 'suggestions.enabled') }),
        }) ?? {}
    );
}

export function initializationOptions(): InitializationOptions {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    // `historyPath` has "scope": "machine": VS Code ignores it in workspace settings.
    const historyPath = nonEmpty(config.get<string | null>('historyPath') ?? undefined);
    return {
        ...serverSettings(),
        ...(historyPath ? { historyPath } : {}),
        trusted: vscode.workspace.isTrusted,
        prompts: false,
    };
}

export function launchSettings(): LaunchSettings {
    const config = vscode.workspace.getConfiguration(CONFIG_SECTION);
    return {
        path: nonEmpty(config.get<string | null>('server.path') ?? undefined),
        python: nonEmpty(config.get<string | null>('server.python') ?? undefined),
    };
}

/** Whether a configuration change needs a new server process. */
export function needsRestart(event: vscode.ConfigurationChangeEvent): boolean {
    return ['server.path', 'server.python', 'historyPath'].some((key) =>
        event.affectsConfiguration(`${CONFIG_SECTION}.${key}`),
    );
}
