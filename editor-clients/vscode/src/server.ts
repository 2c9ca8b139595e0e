/** Finding, starting and restarting the intentls server: one `restartServer()`. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
    DidChangeConfigurationNotification,
    LanguageClient,
    LanguageClientOptions,
    Middleware,
    RevealOutputChannelOn,
    ServerOptions,
    State,
} from 'vscode-languageclient/node';
import { CONFIG_SECTION, ContextKey, EXTENSION_NAME } from './constants';
import { candidatePythons, findBundle, provisionServer, PythonTooOldError } from './provision';
import { initializationOptions, launchSettings, serverSettings } from './settings';

/** What the rest of the extension plugs into each new client. */
export interface ServerHooks {
    /** The server's stderr and the client's own log. */
    readonly log: vscode.LogOutputChannel;
    /** Handlers for the client's notifications; disposed when the client goes. */
    attach(client: LanguageClient): vscode.Disposable[];
    /** `middleware.executeCommand`: commands executed by code actions, lenses, keybindings. */
    executeCommand: NonNullable<Middleware['executeCommand']>;
    /** Called with the new state: starting, ready (with the client), stopped, or failed. */
    onStateChange(state: ServerState): void;
}

export type ServerState =
    | { kind: 'starting' }
    | { kind: 'ready'; client: LanguageClient }
    | { kind: 'stopped' }
    | { kind: 'failed'; message: string };

export class ServerNotFoundError extends Error {}

let hooks: ServerHooks | undefined;
let client: LanguageClient | undefined;
let clientDisposables: vscode.Disposable[] = [];
/** Restarts run one after another, never interleaved. */
let pending: Promise<void> = Promise.resolve();

/** Where the extension is installed and may keep a private server environment. */
let place: { extensionPath: string; storage: string } | undefined;

export function initServer(serverHooks: ServerHooks, context: vscode.ExtensionContext): vscode.Disposable {
    hooks = serverHooks;
    place = { extensionPath: context.extensionPath, storage: context.globalStorageUri.fsPath };
    return new vscode.Disposable(() => void stopServer());
}

/** The running client, or undefined while there is none. */
export function getClient(): LanguageClient | undefined {
    return client?.isRunning() ? client : undefined;
}

/** The running client once a pending (re)start has settled; undefined if there is none. */
export async function whenReady(): Promise<LanguageClient | undefined> {
    await pending.catch(() => undefined);
    return getClient();
}

/** The settings the current server process was started with. */
let startedWith: string | undefined;

function launchKey(): string {
    return JSON.stringify({ ...launchSettings(), historyPath: initializationOptions().historyPath });
}

/** Whether the settings a server is started with differ from the running one's. */
export function launchChanged(): boolean {
    return launchKey() !== startedWith;
}

/** Commands the running server advertises in `executeCommandProvider.commands`. */
export function serverCommands(): readonly string[] {
    return getClient()?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
}

export function restartServer(): Promise<void> {
    pending = pending.then(startFresh, startFresh);
    return pending;
}

export function stopServer(): Promise<void> {
    pending = pending.then(stopCurrent, stopCurrent);
    return pending;
}

async function stopCurrent(): Promise<void> {
    const old = client;
    client = undefined;
    for (const d of clientDisposables) {
        d.dispose();
    }
    clientDisposables = [];
    await vscode.commands.executeCommand('setContext', ContextKey.running, false);
    if (old) {
        try {
            await old.dispose(5000);
        } catch (err) {
            hooks?.log.warn(`stopping the server: ${String(err)}`);
        }
    }
}

async function startFresh(): Promise<void> {
    const h = hooks;
    if (!h) {
        throw new Error('initServer was not called');
    }
    await stopCurrent();
    h.onStateChange({ kind: 'starting' });

    let serverOptions: ServerOptions;
    startedWith = launchKey();
    try {
        serverOptions = await resolveServer();
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        h.log.error(message);
        h.onStateChange({ kind: 'failed', message });
        void offerFix(message, err instanceof ServerNotFoundError || err instanceof PythonTooOldError);
        return;
    }

    const newClient = new LanguageClient(EXTENSION_NAME, 'intentls', serverOptions, clientOptions(h));
    clientDisposables = [
        ...h.attach(newClient),
        newClient.onDidChangeState((event) => {
            if (event.newState === State.Stopped && client === newClient) {
                void vscode.commands.executeCommand('setContext', ContextKey.running, false);
                h.onStateChange({ kind: 'stopped' });
            }
        }),
    ];
    client = newClient;
    try {
        await newClient.start();
    } catch (err) {
        const message = `intentls server failed to start: ${err instanceof Error ? err.message : String(err)}`;
        h.log.error(message);
        h.onStateChange({ kind: 'failed', message });
        void offerFix(message, false);
        return;
    }
    await vscode.commands.executeCommand('setContext', ContextKey.running, true);
    h.log.info(`server commands: ${serverCommands().join(', ')}`);
    h.onStateChange({ kind: 'ready', client: newClient });
}

function clientOptions(h: ServerHooks): LanguageClientOptions {
    return {
        // Every file: code actions undo the runs that changed any document; lenses on task files.
        documentSelector: [{ scheme: 'file' }],
        outputChannel: h.log,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        initializationOptions: initializationOptions(),
        synchronize: { configurationSection: CONFIG_SECTION },
        middleware: {
            executeCommand: h.executeCommand,
            workspace: {
                // Send only the keys of PROTOCOL.md the person set; never the launch settings.
                didChangeConfiguration: async () => {
                    await client?.sendNotification(DidChangeConfigurationNotification.type, {
                        settings: { [CONFIG_SECTION]: serverSettings() },
                    });
                },
                configuration: async (params, token, next) => {
                    const answers = await next(params, token);
                    if (!Array.isArray(answers)) {
                        return answers;
                    }
                    return params.items.map((item, i) =>
                        item.section === CONFIG_SECTION
                            ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
                            : answers[i],
                    );
                },
            },
        },
    };
}

const FIX =
    'Install it so that `intentls` is on PATH (e.g. `pip install intentls`, or `pip install -e .` ' +
    'in a checkout), or set "intentls.server.path" to the executable, or "intentls.server.python" ' +
    'to a Python interpreter that has intentls installed.';

/**
 * `intentls.server.path`, else `python -m intentls` of `intentls.server.python`, else the
 * server bundled with the extension (installed into a private environment on first start),
 * else `intentls` on PATH (a development build carries no bundle).
 */
async function resolveServer(): Promise<ServerOptions> {
    const launch = launchSettings();
    if (launch.path) {
        const exe = expandHome(launch.path);
        if (!isExecutable(exe)) {
            throw new ServerNotFoundError(
                `intentls.server.path is set to "${launch.path}", which is not an executable file. ${FIX}`,
            );
        }
        return { command: exe, args: ['serve'] };
    }
    if (launch.python) {
        const python = expandHome(launch.python);
        const problem = await canImport(python);
        if (problem) {
            throw new ServerNotFoundError(
                `intentls.server.python is "${launch.python}", but \`${launch.python} -m intentls\` ` +
                    `does not work: ${problem}. Install intentls into that interpreter ` +
                    `(\`${launch.python} -m pip install intentls\`) or change the setting.`,
            );
        }
        return { command: python, args: ['-m', 'intentls', 'serve'] };
    }
    const bundle = place && findBundle(place.extensionPath);
    if (place && bundle && hooks) {
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
        const exe = await provisionServer(bundle, place.storage, await candidatePythons(folder), hooks.log);
        return { command: exe, args: ['serve'] };
    }
    const onPath = findOnPath('intentls');
    if (onPath) {
        return { command: onPath, args: ['serve'] };
    }
    throw new ServerNotFoundError(`The intentls server was not found on PATH. ${FIX}`);
}

function expandHome(p: string): string {
    return p.startsWith('~/') ? path.join(process.env.HOME ?? '~', p.slice(2)) : p;
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

function findOnPath(name: string): string | undefined {
    const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
        for (const ext of exts) {
            const candidate = path.join(dir, name + ext);
            if (dir && isExecutable(candidate)) {
                return candidate;
            }
        }
    }
    return undefined;
}

/** Undefined when `python -c "import intentls"` works, else what went wrong. */
function canImport(python: string): Promise<string | undefined> {
    return new Promise((resolve) => {
        execFile(python, ['-c', 'import intentls'], { timeout: 20000 }, (err, _stdout, stderr) => {
            if (!err) {
                resolve(undefined);
            } else {
                const lastLine = stderr.trim().split('\n').pop();
                resolve(lastLine || err.message);
            }
        });
    });
}

async function offerFix(message: string, notFound: boolean): Promise<void> {
    const openSettings = 'Open Settings';
    const showLog = 'Show Log';
    const choice = await vscode.window.showErrorMessage(
        message,
        ...(notFound ? [openSettings] : [showLog]),
    );
    if (choice === openSettings) {
        await vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.server`);
    } else if (choice === showLog) {
        hooks?.log.show();
    }
}
