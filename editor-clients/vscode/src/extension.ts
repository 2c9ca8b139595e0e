/** Wires the extension together; the behaviour lives in the modules it names. */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Notification, RUNNING_COMMANDS } from './constants';
import { Runner, showError } from './runner';
import { getClient, initServer, launchChanged, restartServer, stopServer } from './server';
import { needsRestart } from './settings';
import { RunView } from './status';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel('intentls server', { log: true });
    const view = new RunView();
    const runner = new Runner(view);
    context.subscriptions.push(
        log,
        view,
        initServer({
            log,
            attach: (client) => view.attach(client),
            // Code actions, lenses and keybindings that execute a server command which runs
            // something get the same progress, cancel button and result handling as the palette.
            executeCommand: async (command, args, next) => {
                if (!RUNNING_COMMANDS.has(command)) {
                    return next(command, args);
                }
                try {
                    return await runner.execute(command, args);
                } catch (err) {
                    showError(err);
                    return undefined;
                }
            },
            onStateChange: (state) => view.setServerState(state),
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(() => {
            void getClient()?.sendNotification(Notification.setTrust, { trusted: true });
        }),
        vscode.workspace.onDidChangeConfiguration((event) => {
            // A trust grant also "changes" the restricted launch settings; restart only when
            // their values did change.
            if (needsRestart(event) && launchChanged()) {
                void restartServer();
            }
        }),
    );
    registerCommands(context, runner, view);
    await restartServer();
}

export async function deactivate(): Promise<void> {
    await stopServer();
}
