/** Wires the extension together; the behaviour lives in the modules it names. */
import * as vscode from 'vscode';
import { registerCommands, updateOfferedCommands } from './commands';
import { Notification } from './constants';
import { Runner } from './runner';
import { getClient, initServer, launchChanged, restartServer, stopServer } from './server';
import { needsRestart } from './settings';
import { RunView } from './status';
import { watchTyping } from './suggest';

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
            executeCommand: (command, args, next) => runner.middleware(command, args, next),
            onStateChange: (state) => {
                view.setServerState(state);
                updateOfferedCommands();
            },
        }, context),
        watchTyping(),
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
    // Not awaited: activation does not wait for the server; commands wait for it (whenReady).
    void restartServer();
}

export async function deactivate(): Promise<void> {
    await stopServer();
}
