/**
 * The server a one-step install runs: the `.vsix` carries the server's wheels (`bundled/wheels`,
 * put there by `make dist`), and on first start they are installed into a private virtual
 * environment in the extension's global storage, with a Python ≥ 3.11 — the Python extension's
 * selected interpreter when there is one, else `python3` on PATH. The way Microsoft's
 * python-tools extension template does it; nothing is installed into the person's own Python.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Raised when no interpreter can run the server: the message says what to install or set. */
export class PythonTooOldError extends Error {}

/** A bundle of wheels and the server version they hold. */
interface Bundle {
    readonly wheels: string;
    readonly version: string;
}

/** The bundled server's wheels, or undefined in a build without them (a development build). */
export function findBundle(extensionPath: string): Bundle | undefined {
    const wheels = path.join(extensionPath, 'bundled', 'wheels');
    let names: string[];
    try {
        names = fs.readdirSync(wheels);
    } catch {
        return undefined;
    }
    const own = names.map((n) => /^intentls-([^-]+)-py3-none-any\.whl$/.exec(n)).find((m) => m);
    return own ? { wheels, version: own[1] } : undefined;
}

/**
 * The `intentls` executable of the private environment for `bundle`, installing it first when
 * it is not there yet (with progress). Interpreters are tried in order; the first new enough
 * one is used.
 */
export async function provisionServer(
    bundle: Bundle,
    storage: string,
    interpreters: readonly string[],
    log: vscode.LogOutputChannel,
): Promise<string> {
    const env = path.join(storage, `server-${bundle.version}`);
    const exe = path.join(env, 'bin', 'intentls');
    const done = path.join(env, '.installed');
    if (fs.existsSync(done) && fs.existsSync(exe)) {
        return exe;
    }
    const python = await pickPython(interpreters);
    await vscode.window.withProgress(
        {
            location: vscode.ProgressLocation.Notification,
            title: `intentls: installing its server ${bundle.version} (first start only)`,
        },
        async (progress) => {
            // Half an install (a closed window, a failed pip) has no marker: start it again.
            fs.rmSync(env, { recursive: true, force: true });
            fs.mkdirSync(storage, { recursive: true });
            progress.report({ message: `creating a private environment with ${python}` });
            await run(python, ['-m', 'venv', env], log);
            const pip = [path.join(env, 'bin', 'python'), '-m', 'pip', 'install', '--quiet'];
            const wanted = `intentls==${bundle.version}`;
            progress.report({ message: 'installing the bundled wheels' });
            try {
                await run(pip[0], [...pip.slice(1), '--no-index', '--find-links', bundle.wheels, wanted], log);
            } catch (err) {
                // Wheels built for another platform or Python: take the rest from the index.
                log.warn(`offline install failed (${String(err)}); trying with the package index`);
                progress.report({ message: 'installing dependencies from the package index' });
                await run(pip[0], [...pip.slice(1), '--find-links', bundle.wheels, wanted], log);
            }
            fs.writeFileSync(done, `${python}\n`);
        },
    );
    log.info(`installed the intentls server ${bundle.version} into ${env}`);
    return exe;
}

/** The first interpreter that runs and is at least MIN_PYTHON; else what was found, as an error. */
async function pickPython(interpreters: readonly string[]): Promise<string> {
    const seen: string[] = [];
    for (const python of interpreters) {
        const version = await versionOf(python);
        if (!version) {
            continue;
        }
        if (version[0] > MIN_PYTHON[0] || (version[0] === MIN_PYTHON[0] && version[1] >= MIN_PYTHON[1])) {
            return python;
        }
        seen.push(`${python} is Python ${version.join('.')}`);
    }
    const wanted = `Python ${MIN_PYTHON.join('.')} or newer`;
    throw new PythonTooOldError(
        seen.length
            ? `intentls needs ${wanted} to run its server; ${seen.join(', ')}. Install a newer Python ` +
                  '(or select one in the Python extension), or set "intentls.server.python".'
            : `intentls needs ${wanted} to run its server, and none was found (tried ` +
                  `${interpreters.join(', ')}). Install Python, or set "intentls.server.python".`,
    );
}

function versionOf(python: string): Promise<number[] | undefined> {
    return new Promise((resolve) => {
        const code = 'import sys; print(*sys.version_info[:3])';
        execFile(python, ['-c', code], { timeout: 20000 }, (err, stdout) => {
            resolve(err ? undefined : stdout.trim().split(' ').map(Number));
        });
    });
}

function run(command: string, args: string[], log: vscode.LogOutputChannel): Promise<void> {
    log.info(`$ ${command} ${args.join(' ')}`);
    return new Promise((resolve, reject) => {
        execFile(command, args, { timeout: 600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
            if (stdout.trim()) {
                log.info(stdout.trim());
            }
            if (err) {
                const last = stderr.trim().split('\n').slice(-3).join(' ');
                reject(new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} failed: ${last || err.message}`));
            } else {
                resolve();
            }
        });
    });
}

/**
 * Interpreters to try, best first: the Python extension's selected one (when installed and
 * active), then `python3` and `python` on PATH.
 */
export async function candidatePythons(folder: vscode.Uri | undefined): Promise<string[]> {
    const found: string[] = [];
    const python = vscode.extensions.getExtension('ms-python.python');
    if (python) {
        try {
            const api = (await python.activate()) as PythonExtensionApi | undefined;
            const selected = api?.environments?.getActiveEnvironmentPath(folder);
            const resolved = selected && (await api?.environments?.resolveEnvironment(selected));
            const exe = resolved?.executable?.uri?.fsPath;
            if (exe) {
                found.push(exe);
            }
        } catch {
            // The Python extension is optional: PATH below.
        }
    }
    return [...found, 'python3', 'python'];
}

/** The part of the Python extension's public API used here. */
interface PythonExtensionApi {
    environments?: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { id: string; path: string };
        resolveEnvironment(env: { id: string; path: string }): Promise<
            { executable?: { uri?: vscode.Uri } } | undefined
        >;
    };
}
