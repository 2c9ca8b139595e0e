// @ts-check
// End-to-end test of the intentls extension in real VS Code (code-server), driven by Playwright
// in Debian's Chromium. Run by scripts/test.sh, which installs everything and sets:
//   CODE_SERVER   the code-server executable
//   VSIX          the packaged extension
//   INTENTLS_SERVER  the intentls server executable
//   ARTIFACTS     where failure screenshots and logs go
//   DOCS_IMAGE    where the screenshot of a successful run goes (docs/images/vscode-run.png)
// Every wait is on a real condition (an element, a file); no sleeps, no timing assertions.
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

const env = (name) => {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set; run scripts/test.sh`);
    }
    return value;
};

const CODE_SERVER = env('CODE_SERVER');
const VSIX = env('VSIX');
const INTENTLS_SERVER = env('INTENTLS_SERVER');
const ARTIFACTS = env('ARTIFACTS');
const DOCS_IMAGE = process.env.DOCS_IMAGE;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Generous: the first start of code-server and the server in a cold machine. */
const STARTUP_MS = 120_000;
const STEP_MS = 30_000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'intentls-vscode-'));
const extensions = path.join(tmp, 'extensions');
const results = { passed: 0, failed: 0, skipped: 0 };

/**
 * One code-server with its own user data, workspace and browser.
 * @typedef {{ name: string, dir: string, workspace: string, userData: string, log: string,
 *   pathFirst?: string, codeServer?: import('node:child_process').ChildProcess,
 *   browser?: import('playwright-core').BrowserContext }} Session
 */
/** @type {Session[]} */
const sessions = [];
/** The page of the session under test. @type {import('playwright-core').Page} */
let page;
/** The workspace of the session under test. */
let workspace = '';

function writeWorkspace(dir) {
    fs.mkdirSync(dir, { recursive: true });
    // `slow` and `forever` wait for files the test creates, so the test sees a run in progress
    // without depending on how long anything takes.
    fs.writeFileSync(
        path.join(dir, 'intents.toml'),
        [
            '[intents.greet]',
            'run = "echo greeting-from-intents-toml > greeting.txt"',
            '',
            '[intents.slow]',
            'run = "echo slow-started; while [ ! -f go ]; do sleep 0.1; done; echo slow-done > slow.txt"',
            '',
            '[intents.forever]',
            'run = "echo forever-started; while [ ! -f never ]; do sleep 0.1; done"',
            '',
            '[intents.pyfail]',
            'run = "python3 broken.py"',
            '',
            // Up-to-date skipping: skipped while counted-input.txt is as its last success saw it.
            '[intents.counted]',
            'run = "echo counted-run >> counter.txt"',
            'inputs = ["counted-input.txt"]',
            '',
        ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'counted-input.txt'), 'input\n');
    fs.writeFileSync(path.join(dir, 'broken.py'), 'import os\n\ndef f(:\n    pass\n');
    fs.writeFileSync(path.join(dir, 'data.txt'), 'original\n');
    execFileSync('git', ['init', '-q'], { cwd: dir });
}

/**
 * @param {string} userData
 * @param {boolean} trusted
 * @param {Record<string, string>} launch  intentls.server.* settings
 */
function writeUserSettings(userData, trusted, launch) {
    const dir = path.join(userData, 'User');
    fs.mkdirSync(dir, { recursive: true });
    const settings = {
        // Trusted: workspace trust off, every folder is trusted. Untrusted: trust on, and no
        // startup prompt, so the folder opens in restricted mode.
        'security.workspace.trust.enabled': !trusted,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.banner': 'never',
        ...launch,
        'intentls.historyPath': path.join(userData, 'history.db'),
        // The LSP traffic in the "intentls server" log: the settings test reads it.
        'intentls.trace.server': 'verbose',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'git.enabled': false,
        'chat.disableAIFeatures': true,
        'window.restoreWindows': 'none',
        // VS Code in a browser saves edits after a delay by default; the rollback test needs an
        // editor with unsaved changes, as in desktop VS Code.
        'files.autoSave': 'off',
    };
    fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
    // Machine-scoped settings of a remote window (code-server is one) belong in the remote's
    // own settings: VS Code takes them from there once that file exists.
    const machine = path.join(userData, 'Machine');
    fs.mkdirSync(machine, { recursive: true });
    const machineSettings = { ...launch, 'intentls.historyPath': settings['intentls.historyPath'] };
    fs.writeFileSync(path.join(machine, 'settings.json'), JSON.stringify(machineSettings, null, 2));
}

/** PATH without any folder that holds an `intentls` executable: the extension must bring its own. */
function pathWithoutIntentls() {
    return (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter((dir) => dir && !fs.existsSync(path.join(dir, 'intentls')))
        .join(path.delimiter);
}

/** What `make` and a CI runner put in the environment, which a person's editor does not have (a
 * server given MAKEFLAGS would take any `make` it runs for a sub-make; code-server behaves
 * differently with CI set). */
const NOT_AN_EDITORS = ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'SOURCE_DATE_EPOCH', 'VSIX', 'CI'];

/**
 * Environment for code-server: no writes to the real home's config or data.
 * @param {string} dir
 * @param {string} [pathFirst]  a folder searched before the rest of PATH
 */
function isolatedEnv(dir, pathFirst) {
    const own = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_AN_EDITORS.includes(name)));
    return {
        ...own,
        PATH: [pathFirst, pathWithoutIntentls()].filter(Boolean).join(path.delimiter),
        // code-server gives the extension host the PATH of a login shell (Debian's /etc/profile
        // sets its own) unless VSCODE_CLI says this environment is the person's already.
        ...(pathFirst ? { VSCODE_CLI: '1' } : {}),
        XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
        XDG_DATA_HOME: path.join(dir, 'xdg-data'),
        XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
        XDG_STATE_HOME: path.join(dir, 'xdg-state'),
        INTENTLS_HISTORY: path.join(dir, 'history.db'),
    };
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const address = srv.address();
            srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
        });
    });
}

/** Starts code-server and resolves with its URL once it says it is listening. */
async function startCodeServer(/** @type {Session} */ session) {
    const port = await freePort();
    const config = path.join(session.dir, 'code-server.yaml');
    fs.writeFileSync(config, 'auth: none\n');
    const log = fs.createWriteStream(session.log);
    const child = spawn(
        CODE_SERVER,
        [
            '--config', config,
            '--auth', 'none',
            '--bind-addr', `127.0.0.1:${port}`,
            '--user-data-dir', session.userData,
            '--extensions-dir', extensions,
            '--disable-telemetry',
            '--disable-update-check',
            '--disable-getting-started-override',
            '--ignore-last-opened',
        ],
        { env: isolatedEnv(session.dir, session.pathFirst), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    session.codeServer = child;
    return new Promise((resolve, reject) => {
        let seen = '';
        const onData = (/** @type {Buffer} */ chunk) => {
            log.write(chunk);
            seen += chunk.toString();
            if (seen.includes('HTTP server listening on')) {
                resolve(`http://127.0.0.1:${port}/`);
            }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.on('exit', (code) => reject(new Error(`code-server exited (${code}); see ${session.log}`)));
    });
}

/** Opens a workspace in a fresh code-server and browser; waits for the extension's readiness. */
/**
 * @param {string} name
 * @param {{trusted: boolean, launch?: Record<string, string>, expectReady?: boolean, pathFirst?: string}} options
 */
async function openSession(name, { trusted, launch = { 'intentls.server.path': INTENTLS_SERVER }, expectReady = true, pathFirst }) {
    const dir = path.join(tmp, name);
    /** @type {Session} */
    const session = {
        name,
        dir,
        workspace: path.join(dir, 'workspace'),
        userData: path.join(dir, 'user-data'),
        log: path.join(ARTIFACTS, `code-server-${name}.log`),
        pathFirst,
    };
    sessions.push(session);
    writeWorkspace(session.workspace);
    writeUserSettings(session.userData, trusted, launch);
    const url = await startCodeServer(session);
    session.browser = await chromium.launchPersistentContext(path.join(dir, 'chromium'), {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 800 },
        args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
        ],
    });
    page = session.browser.pages()[0] ?? (await session.browser.newPage());
    workspace = session.workspace;
    await page.goto(`${url}?folder=${encodeURIComponent(session.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: STARTUP_MS });
    // The readiness signal: the extension's status-bar item once the client is running (or
    // says it is not).
    const ready = statusItem('intentls: ready');
    const down = statusItem('intentls: stopped').or(statusItem('intentls: not running'));
    try {
        await ready.or(down).first().waitFor({ state: 'visible', timeout: STARTUP_MS });
    } catch (err) {
        await screenshot(`failed-startup-${name}`);
        throw err;
    }
    if (expectReady && !(await ready.isVisible())) {
        await screenshot(`failed-startup-${name}`);
        throw new Error(`the extension did not start the server: "${await down.first().innerText()}"; see the logs in ${ARTIFACTS}`);
    }
}

async function closeSession(/** @type {Session} */ session, keepLogs) {
    await session.browser?.close().catch(() => undefined);
    session.browser = undefined;
    if (session.codeServer?.pid && session.codeServer.exitCode === null) {
        const exited = new Promise((resolve) => session.codeServer?.once('exit', resolve));
        try {
            process.kill(-session.codeServer.pid, 'SIGTERM');
            await exited;
        } catch {
            // already gone
        }
    }
    if (keepLogs) {
        // The extension host's logs, with the "intentls server" output channel.
        fs.cpSync(path.join(session.userData, 'logs'), path.join(ARTIFACTS, `logs-${session.name}`), {
            recursive: true,
        });
    }
}

function fileText(file) {
    try {
        return fs.readFileSync(file, 'utf8');
    } catch {
        return undefined;
    }
}

/** Waits until `file` exists with content containing `text` (watching, not sleeping). */
/**
 * What a command did on disk, or the extension saying the server lacks the command. The file is
 * the ground truth: a notification toast can be hidden behind others or gone before it is seen.
 */
async function effectOrUnsupported(unsupportedToast, file, text) {
    const effect = waitForFile(file, text).then(() => 'done');
    const lacking = unsupportedToast
        .waitFor({ state: 'visible', timeout: STEP_MS })
        .then(() => 'unsupported');
    effect.catch(() => {});
    lacking.catch(() => {});
    try {
        return await Promise.any([effect, lacking]);
    } catch {
        return await effect; // neither: the file's own error says what it holds instead
    }
}

async function waitForFile(file, text, timeout = STEP_MS) {
    const ready = () => fileText(file)?.includes(text) ?? false;
    if (ready()) {
        return;
    }
    await new Promise((resolve, reject) => {
        const watcher = fs.watch(path.dirname(file), () => {
            if (ready()) {
                done();
                resolve(undefined);
            }
        });
        const timer = setTimeout(() => {
            done();
            reject(new Error(`${file} did not come to contain ${JSON.stringify(text)}; it has ${JSON.stringify(fileText(file))}`));
        }, timeout);
        const done = () => {
            watcher.close();
            clearTimeout(timer);
        };
        if (ready()) {
            done();
            resolve(undefined);
        }
    });
}

/** Polls `predicate` until it holds: for conditions nothing announces (a log's content). */
/**
 * The extension offers no unasked suggestion within TYPING_MS of an edit of an open document that
 * leaves it unsaved (src/suggest.ts): a check that makes one notes when (typing, or a rollback's
 * edit applied to a document with unsaved changes), and a check that waits for a suggestion waits
 * that window out.
 */
const TYPING_MS = 3000;
let lastEdited = 0;

function noteEdited() {
    lastEdited = Date.now();
}

async function waitUntil(predicate, what, timeout = STEP_MS) {
    const deadline = Date.now() + timeout;
    while (!predicate()) {
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** The text of the extension's "intentls server" log channel, as the extension host wrote it. */
function serverLog() {
    const session = sessions[sessions.length - 1];
    const logs = path.join(session.userData, 'logs');
    const found = fs.existsSync(logs)
        ? fs.readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('intentls server.log'))
        : [];
    return found.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

const statusItem = (text) => page.locator('.statusbar-item', { hasText: text });
const toast = (text) => page.locator('.notifications-toasts .notification-toast', { hasText: text });

/**
 * A notification by its text, visible: as a toast, or in the notification centre, which the
 * test opens when VS Code keeps the notification there without a toast (under `make test` it
 * did so for some information messages; the notification itself is what is tested).
 */
async function notification(text) {
    const asToast = toast(text).last();
    if (await asToast.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) {
        return asToast;
    }
    await runPaletteCommand('Notifications: Show Notifications');
    const inCentre = page.locator('.notifications-center .notification-list-item', { hasText: text }).last();
    await inCentre.waitFor({ state: 'visible', timeout: STEP_MS });
    return inCentre;
}

/** F1, then the palette entry with exactly this title. */
async function runPaletteCommand(title) {
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await row.click();
}

/** Intent: Run…, then type `text` and take the row that has `rowText`. */
async function runIntent(text, rowText) {
    await runPaletteCommand('Intent: Run…');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Intent: Run…' })
        .waitFor({ state: 'visible', timeout: STEP_MS });
    // The list arrives from the server; wait for it before typing so the filter sees it.
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'greet' })
        .first().waitFor({ state: 'visible', timeout: STEP_MS });
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill(text);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: rowText }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await row.click();
}

async function screenshot(name) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file }).catch(() => undefined);
    return file;
}

/** A test that records its outcome and leaves a screenshot when it fails. */
function check(name, fn) {
    test(name, async (t) => {
        let skipped = false;
        const skip = (/** @type {string} */ reason) => {
            skipped = true;
            console.log(`SKIP ${name}: ${reason}`);
            t.skip(reason);
        };
        try {
            await fn(skip);
            if (skipped) {
                results.skipped++;
            } else {
                results.passed++;
            }
        } catch (err) {
            results.failed++;
            const shot = await screenshot(`failed-${name.replace(/\W+/g, '-')}`);
            console.log(`FAIL ${name}: screenshot ${shot}; code-server and extension logs in ${ARTIFACTS}`);
            throw err;
        }
    });
}

before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    execFileSync(
        CODE_SERVER,
        ['--user-data-dir', path.join(tmp, 'install'), '--extensions-dir', extensions, '--install-extension', VSIX, '--force'],
        { env: isolatedEnv(path.join(tmp, 'install')), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await openSession('trusted', { trusted: true });
});

after(async () => {
    const keepLogs = results.failed > 0 || results.passed === 0 || process.env.KEEP_LOGS === '1';
    for (const session of sessions) {
        await closeSession(session, keepLogs);
    }
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    console.log(`vscode: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
});

check('run an intents.toml entry from the palette: progress, output, effect on disk', async () => {
    // With intents.toml open the run is for its folder (`uri`), and the screenshot shows it.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'intents.toml' }).click();
    await page.locator('.editor-instance .view-lines', { hasText: 'intents.greet' })
        .waitFor({ state: 'visible', timeout: STEP_MS });
    // The output first: opening a panel later would tuck the notification away.
    await runPaletteCommand('Intent: Show Output');
    await page.locator('.part.panel .monaco-editor').first().waitFor({ state: 'visible', timeout: STEP_MS });
    await runIntent('slow', 'intents.toml');
    const progress = toast('intentls: slow');
    await progress.waitFor({ state: 'visible', timeout: STEP_MS });
    await statusItem('intentls: running slow').waitFor({ state: 'visible', timeout: STEP_MS });
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await output.filter({ hasText: 'slow-started' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await progress.waitFor({ state: 'visible', timeout: STEP_MS });
    await (await progress.elementHandle())?.waitForElementState('stable');
    // The run is still waiting for `go`: the notification, the output and the status bar show it.
    const shot = await screenshot('vscode-run');
    if (DOCS_IMAGE) {
        fs.mkdirSync(path.dirname(DOCS_IMAGE), { recursive: true });
        fs.copyFileSync(shot, DOCS_IMAGE);
    }
    fs.writeFileSync(path.join(workspace, 'go'), '');
    await waitForFile(path.join(workspace, 'slow.txt'), 'slow-done');
    await statusItem('intentls: slow succeeded').waitFor({ state: 'visible', timeout: STEP_MS });
    await progress.waitFor({ state: 'hidden', timeout: STEP_MS });
});

check('run free text "$ …" from the palette, shown as the server read it', async () => {
    // Grammar v1.1: `and` before words that are no intent stays the shell's, and the row says so.
    const intent = '$ echo hi-from-shell and dogs > out.txt && echo shell-output-line';
    await runIntent(intent, `read as: «${intent}» · 1 step`);
    await waitForFile(path.join(workspace, 'out.txt'), 'hi-from-shell and dogs');
    await statusItem(`${intent} succeeded`).waitFor({ state: 'visible', timeout: STEP_MS });
    await runPaletteCommand('Intent: Show Output');
    await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'shell-output-line' })
        .waitFor({ state: 'visible', timeout: STEP_MS });
});

check('settings reach the server: initializationOptions and didChangeConfiguration', async () => {
    const initialize = () => {
        const log = serverLog();
        const start = log.indexOf("Sending request 'initialize");
        return start < 0 ? '' : log.slice(start, log.indexOf("Received response 'initialize", start));
    };
    await waitUntil(() => initialize().includes('"prompts": false'), 'the initialize request in the log');
    const init = initialize();
    assert.match(init, /"trusted": true/);
    assert.match(init, /"historyPath": ".*history\.db"/);
    assert.doesNotMatch(init, /"maxParallel"/, 'a setting nobody set is not sent');
    // A change in the Settings editor reaches the server; launch settings stay out of it.
    await runPaletteCommand('Preferences: Open Settings (UI)');
    await page.locator('.settings-editor').waitFor({ state: 'visible', timeout: STEP_MS });
    await page.keyboard.type('intentls.maxParallel');
    const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'Max Parallel' })
        .locator('input').first();
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill('3');
    await input.press('Tab');
    const change = () => {
        const log = serverLog();
        const at = log.lastIndexOf("Sending notification 'workspace/didChangeConfiguration'");
        return at < 0 ? '' : log.slice(at, at + 2000);
    };
    await waitUntil(() => /"maxParallel": 3/.test(change()), 'didChangeConfiguration with maxParallel 3');
    assert.doesNotMatch(change().split("Sending ")[1] ?? '', /"path"|"historyPath"/);
    await page.keyboard.press('Control+W');
});

check('Intent: Show History and Intent: Run… show past runs; Intent: Run Last runs the last intent again', async () => {
    await runPaletteCommand('Intent: Show History');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'slow' }).filter({ hasText: 'succeeded' }).first()
        .waitFor({ state: 'visible', timeout: STEP_MS });
    await page.keyboard.press('Escape');
    // Intent: Run… lists the intents with source and last status, the recently run first.
    await runPaletteCommand('Intent: Run…');
    const first = rows.first();
    await first.filter({ hasText: 'slow' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await first.innerText(), /intents\.toml[\s\S]*succeeded/);
    await page.keyboard.press('Escape');
    fs.rmSync(path.join(workspace, 'out.txt'));
    await runPaletteCommand('Intent: Run Last');
    await waitForFile(path.join(workspace, 'out.txt'), 'hi-from-shell');
});

check('Intent: Show Stats opens the folder\'s stats beside the editor', async () => {
    await runPaletteCommand('Intent: Show Stats');
    await page.locator('.monaco-editor .view-lines', { hasText: 'Intent stats' }).first()
        .waitFor({ state: 'visible', timeout: STEP_MS });
    const text = await page.locator('.monaco-editor .view-lines', { hasText: 'Intent stats' }).first().innerText();
    assert.match(text, /\*\*\d+\s+runs\*\*/); // \s: the editor shows spaces as no-break spaces
    assert.match(text, /##\s+By\s+intent[\s\S]*\|\s+slow\s+\|\s+\d+\s+\|/);
    await runPaletteCommand('View: Revert and Close Editor'); // an untitled document: no save prompt
});

check('a failed run: an error with Show Output, and the status bar says failed', async () => {
    const intent = '$ echo failing-step-output; exit 3';
    await runIntent(intent, 'run as typed');
    const error = toast(`intentls: ${intent} failed`);
    await error.waitFor({ state: 'visible', timeout: STEP_MS });
    await statusItem(`${intent} failed`).waitFor({ state: 'visible', timeout: STEP_MS });
    await error.locator('.monaco-button', { hasText: 'Show Output' }).click();
    await page.locator('.part.panel .monaco-editor .view-lines', { hasText: 'failing-step-output' })
        .waitFor({ state: 'visible', timeout: STEP_MS });
});

check('Intent: Restart Server restarts it', async () => {
    await runPaletteCommand('Intent: Restart Server');
    await statusItem('intentls: ready').waitFor({ state: 'visible', timeout: STARTUP_MS });
});

check('a failed run puts its error in Problems on its line, with quick fixes', async () => {
    await runIntent('pyfail', 'pyfail');
    await runPaletteCommand('Problems: Focus on Problems View');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'invalid syntax' }).first();
    await problem.waitFor({ state: 'visible', timeout: STEP_MS });
    const row = await problem.innerText();
    assert.match(row, /intentls/, `the problem's source: ${row}`);
    assert.match(row, /\[Ln 3, Col 1\]/, `the problem's place: ${row}`);
    await problem.click(); // opens broken.py at the problem
    await page.locator('.tab.active', { hasText: 'broken.py' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('.monaco-editor textarea').first().focus();
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget', { hasText: 'Re-run «pyfail»' });
    await fix.waitFor({ state: 'visible', timeout: STEP_MS });
    const menu = await fix.innerText();
    assert.match(menu, /Show the run's output/, `the quick fixes: ${menu}`);
    // The run's output is the server's one copy of it (intentls.runOutput shows the run's log).
    assert.match(menu, /Re-run «pyfail»\s*Show the run's output/, 'the second quick fix');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: '.log' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'invalid syntax' }).first()
        .waitFor({ state: 'visible', timeout: STEP_MS });
    // broken.py took the preview tab of intents.toml, whose lenses the next tests click.
    await runPaletteCommand('View: Close All Editors');
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'intents.toml' }).click();
    await page.locator('.tab.active', { hasText: 'intents.toml' }).waitFor({ state: 'visible', timeout: STEP_MS });
});

/** The code lens with this text in the open editor. */
const lens = (text) => page.locator('.monaco-editor .codelens-decoration a', { hasText: text });

check('a code lens runs its intent', async () => {
    await lens('Run greet').first().click();
    await waitForFile(path.join(workspace, 'greeting.txt'), 'greeting-from-intents-toml');
    await statusItem('intentls: greet succeeded').waitFor({ state: 'visible', timeout: STEP_MS });
});

check('cancel a run (started by a code lens) from its progress notification', async () => {
    // The lens's intentls.run goes through the extension's middleware: the notification with a
    // Cancel button is the extension's own.
    await lens('Run forever').first().click();
    const running = toast('intentls: forever');
    await running.waitFor({ state: 'visible', timeout: STEP_MS });
    await statusItem('intentls: running forever').waitFor({ state: 'visible', timeout: STEP_MS });
    await running.hover();
    await running.locator('.monaco-button, .action-label', { hasText: 'Cancel' }).first().click();
    await statusItem('intentls: forever cancelled').waitFor({ state: 'visible', timeout: STEP_MS });
});

/** Whether the Undo Last test undid a run, for the Redo test. */
let undone = false;

check('Intent: Undo Last restores a file a run changed', async (skip) => {
    const intent = '$ echo changed > data.txt';
    await runIntent(intent, 'run as typed');
    await waitForFile(path.join(workspace, 'data.txt'), 'changed');
    await statusItem(`${intent} succeeded`).waitFor({ state: 'visible', timeout: STEP_MS });
    await runPaletteCommand('Intent: Undo Last');
    const outcome = await effectOrUnsupported(
        toast('does not support intentls.undo'),
        path.join(workspace, 'data.txt'),
        'original',
    );
    if (outcome === 'unsupported') {
        skip('the server does not advertise intentls.undo (the extension said so and sent nothing)');
        return;
    }
    undone = true;
});

check('Intent: Redo re-applies the undone run', async (skip) => {
    if (!undone) {
        skip('nothing was undone (see the Undo Last test)');
        return;
    }
    await runPaletteCommand('Intent: Redo');
    const outcome = await effectOrUnsupported(
        toast('does not support intentls.redo'),
        path.join(workspace, 'data.txt'),
        'changed',
    );
    if (outcome === 'unsupported') {
        skip('the server does not advertise intentls.redo (the extension said so and sent nothing)');
    }
});

/** A modal dialog (`showWarningMessage` with `modal: true`) with this text. */
const dialog = (text) => page.locator('.monaco-dialog-box', { hasText: text });
const ROLL_BACK = 'Intent: Roll Back to Checkpoint…';

/** Intent: Roll Back to Checkpoint…, the row of `name`, then "Roll Back" in the confirmation. */
async function rollBackTo(name) {
    await runPaletteCommand(ROLL_BACK);
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    const text = await row.innerText();
    assert.match(text, /just now/, 'the checkpoint row says how old it is');
    assert.match(text, /\d+ paths/, 'the checkpoint row says how many paths it holds');
    await row.click();
    const confirm = dialog(`Roll back «${name}»?`);
    await confirm.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await confirm.innerText(), /can be undone/);
    await confirm.locator('.monaco-button', { hasText: /^\s*Roll Back\s*$/ }).click();
}

check('Intent: Roll Back to Checkpoint… returns changed files to a checkpoint; the rollback can be undone', async () => {
    const byRun = path.join(workspace, 'rollback.txt');
    const onDisk = path.join(workspace, 'rollback-disk.txt');
    fs.writeFileSync(byRun, 'before-checkpoint\n');
    fs.writeFileSync(onDisk, 'disk-before\n');
    // No checkpoint yet: the message says how to make one, and its button does.
    await runPaletteCommand(ROLL_BACK);
    const none = await notification('no checkpoints yet');
    await none.locator('.monaco-button', { hasText: 'Create Checkpoint' }).click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Intent: Create Checkpoint' })
        .waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('.quick-input-widget .quick-input-box input').fill('before-edit');
    await page.keyboard.press('Enter');
    await notification('created (before-edit)');
    // Changes after the checkpoint: one by a run, one straight on disk.
    await runIntent('$ echo after-checkpoint > rollback.txt', 'run as typed');
    await waitForFile(byRun, 'after-checkpoint');
    fs.writeFileSync(onDisk, 'disk-after\n');
    await rollBackTo('before-edit');
    await waitForFile(byRun, 'before-checkpoint');
    await waitForFile(onDisk, 'disk-before');
    // The rollback is a run: Undo Last takes it back.
    await runPaletteCommand('Intent: Undo Last');
    await waitForFile(byRun, 'after-checkpoint');
    await waitForFile(onDisk, 'disk-after');
});

check('Roll Back to Checkpoint…: an unsaved editor is a conflict; Roll Back Anyway restores the file', async () => {
    const byRun = path.join(workspace, 'rollback.txt');
    const onDisk = path.join(workspace, 'rollback-disk.txt');
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'rollback.txt' }).first().click();
    const text = page.locator('.editor-instance .view-lines', { hasText: 'after-checkpoint' });
    await text.waitFor({ state: 'visible', timeout: STEP_MS });
    await text.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' unsaved-edit');
    noteEdited();
    await page.locator('.tabs-container .tab.dirty', { hasText: 'rollback.txt' })
        .waitFor({ state: 'visible', timeout: STEP_MS });
    await rollBackTo('before-edit');
    // The file on disk without a conflict is rolled back; the unsaved one waits for a decision.
    const conflict = dialog('Rollback was partial');
    await conflict.waitFor({ state: 'visible', timeout: STEP_MS });
    await waitForFile(onDisk, 'disk-before');
    assert.equal(fileText(byRun), 'after-checkpoint\n', 'the unsaved file is left alone until forced');
    const detail = await conflict.innerText();
    assert.match(detail, /rollback\.txt: open in the editor with unsaved changes/);
    assert.match(detail, /nothing is lost/);
    await conflict.locator('.monaco-button', { hasText: 'Roll Back Anyway' }).click();
    await waitForFile(byRun, 'before-checkpoint');
    noteEdited(); // the rollback's edit reached the open document with its unsaved changes
    await runPaletteCommand('File: Revert File');
    await page.locator('.tabs-container .tab.dirty', { hasText: 'rollback.txt' })
        .waitFor({ state: 'hidden', timeout: STEP_MS });
});

check('a suggestion: a button on the finished run, in the Ctrl+. menu, and taken it runs', async () => {
    const one = '$ echo one >> sug.txt';
    const two = '$ echo two >> sug.txt';
    const count = (word) => (fileText(path.join(workspace, 'sug.txt')) ?? '').split('\n').filter((l) => l === word).length;
    const run = async (intent, word) => {
        const before = count(word);
        await runIntent(intent, 'run as typed');
        await waitUntil(() => count(word) === before + 1, `${intent} to run`);
    };
    for (let i = 0; i < 3; i++) {
        await run(one, 'one');
        await run(two, 'two');
    }
    await waitUntil(() => Date.now() - lastEdited > TYPING_MS, 'the quiet time after the last edit');
    await run(one, 'one');
    // The button on the finished run's notification runs the next step.
    const offer = await notification(`intentls suggests: Run ${two}`);
    let twos = count('two');
    await offer.hover();
    await offer.locator('.monaco-button', { hasText: `Run ${two}` }).first().click();
    await waitUntil(() => count('two') === twos + 1, 'the suggested run from the notification');
    // The same suggestion in the Ctrl+. menu of the open editor.
    await run(one, 'one');
    await page.keyboard.press('Escape');
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'intents.toml' }).click();
    await page.locator('.editor-instance .view-lines').first().click();
    twos = count('two');
    await page.keyboard.press('Control+.');
    const item = page.locator('.action-widget .monaco-list-row', { hasText: `Run ${two}` }).first();
    await item.waitFor({ state: 'visible', timeout: STEP_MS });
    // The menu takes keys (a pointer block covers it while it opens): down to the item, Enter.
    for (let i = 0; i < 5 && !(await item.getAttribute('class'))?.includes('focused'); i++) {
        await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await waitUntil(() => count('two') === twos + 1, 'the suggested run from the Ctrl+. menu');
});

check('a run that will probably fail asks first; Intent: Why Did It Fail? names the edited file', async () => {
    const state = path.join(workspace, 'state.txt');
    fs.writeFileSync(state, 'ok\n');
    const intent = '$ grep -q ok state.txt';
    await runIntent(intent, 'run as typed');
    await statusItem(`${intent} succeeded`).waitFor({ state: 'visible', timeout: STEP_MS });
    fs.writeFileSync(state, 'bad\n'); // edited between runs: the next snapshot sees it
    await runIntent(intent, 'run as typed');
    await statusItem(`${intent} failed`).waitFor({ state: 'visible', timeout: STEP_MS });
    await runPaletteCommand('Intent: Why Did It Fail?');
    const why = dialog(`«${intent}» failed`);
    await why.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await why.innerText(), /1 file\(s\) changed \(state\.txt\)/);
    await why.locator('.monaco-button', { hasText: 'Open state.txt' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'state.txt' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // Failed last time with nothing changed since: the run asks before it starts.
    await runIntent(intent, 'run as typed');
    const ask = dialog('will probably fail');
    await ask.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await ask.innerText(), /failed last time[\s\S]*nothing changed since/);
    await ask.locator('.monaco-button', { hasText: 'Run Anyway' }).click();
    await toast(`intentls: ${intent} failed`).waitFor({ state: 'visible', timeout: STEP_MS });
});

check('an intent up to date is skipped and says so; Run Anyway, and Intent: Run Anyway, run it', async () => {
    const runs = () => (fileText(path.join(workspace, 'counter.txt')) ?? '').split('\n').filter((l) => l === 'counted-run').length;
    await runIntent('counted', 'counted');
    await waitUntil(() => runs() === 1, 'the first run of counted');
    // Nothing it reads changed: the second run is skipped, and the notification says so.
    await runIntent('counted', 'counted');
    const skipped = await notification('counted is up to date, not run');
    assert.equal(runs(), 1, 'the up-to-date step did not run again');
    await skipped.hover();
    await skipped.locator('.monaco-button', { hasText: 'Run Anyway' }).first().click();
    await waitUntil(() => runs() === 2, 'the run forced from the notification');
    // Up to date again (the forced run was a success); the palette command forces it too.
    await runPaletteCommand('Intent: Run Anyway (ignore up-to-date)');
    const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'counted' }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await row.click();
    await waitUntil(() => runs() === 3, 'the run forced from the palette');
});

check('a run\'s full output in an editor tab: from a failed run\'s notification and Intent: Show Full Output', async () => {
    // More lines than the editor is streamed at once; the tab has all of them, the last too.
    const intent = '$ seq 1 300000; echo full-output-end; exit 4';
    await runIntent(intent, 'run as typed');
    const error = await notification(`intentls: ${intent} failed`);
    await error.locator('.monaco-button', { hasText: 'Show Full Output' }).click();
    const tab = page.locator('.tab.active', { hasText: '.log' });
    await tab.waitFor({ state: 'visible', timeout: STEP_MS });
    // \s: the editor shows spaces as no-break spaces.
    const lines = (text) => page.locator('.editor-instance .monaco-editor .view-lines', { hasText: text }).first();
    await lines(/──\s+s\d+\s+──/).waitFor({ state: 'visible', timeout: STEP_MS });
    await lines(/──\s+s\d+\s+──/).click();
    await page.keyboard.press('Control+End');
    await lines('full-output-end').waitFor({ state: 'visible', timeout: STEP_MS });
    await page.keyboard.press('Control+W');
    await runPaletteCommand('Notifications: Clear All Notifications'); // "large file" stays otherwise
    // The palette lists the folder's runs, newest first; an older one (found by typing) too.
    await runPaletteCommand('Intent: Show Full Output');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.first().filter({ hasText: 'full-output-end' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await page.locator('.quick-input-widget .quick-input-box input').fill('failing-step-output');
    await rows.filter({ hasText: 'failing-step-output' }).first().click();
    await lines('failing-step-output').waitFor({ state: 'visible', timeout: STEP_MS });
    await page.keyboard.press('Control+W');
});

check('untrusted folder: a blocked run offers its actions, and the chosen one runs', async () => {
    for (const session of sessions) {
        await closeSession(session, false);
    }
    // Started as `python -m intentls serve` when the server is a virtualenv's script.
    const python = path.join(path.dirname(INTENTLS_SERVER), 'python');
    const launch = fs.existsSync(python) ? { 'intentls.server.python': python } : undefined;
    await openSession('untrusted', { trusted: false, launch });
    if (launch) {
        // Ready with only intentls.server.python set: `python -m intentls serve` works.
        assert.match(serverLog(), /server commands: .*intentls\.run/);
    }
    const intent = '$ echo ran-once > once.txt';
    await runIntent(intent, 'run as typed');
    // The server answers `blocked` with actions; the extension offers them in a modal.
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'did not start' });
    await dialog.waitFor({ state: 'visible', timeout: STEP_MS });
    await dialog.locator('.monaco-button', { hasNotText: 'Cancel' }).first().click();
    await waitForFile(path.join(workspace, 'once.txt'), 'ran-once');
    await statusItem(`${intent} succeeded`).waitFor({ state: 'visible', timeout: STEP_MS });
});

check('granting workspace trust reaches the server: runs start without asking', async () => {
    await runPaletteCommand('Workspaces: Manage Workspace Trust');
    const editor = page.locator('.workspace-trust-editor');
    await editor.waitFor({ state: 'visible', timeout: STEP_MS });
    await editor.locator('.monaco-button', { hasText: /^\s*Trust\s*$/ }).first().click();
    await editor.filter({ hasText: 'You trust this' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const intent = '$ echo trusted-now > trusted.txt';
    await runIntent(intent, 'run as typed');
    await waitForFile(path.join(workspace, 'trusted.txt'), 'trusted-now');
    await statusItem(`${intent} succeeded`).waitFor({ state: 'visible', timeout: STEP_MS });
});

check('a missing server: the status bar and a message say what to fix', async () => {
    for (const session of sessions) {
        await closeSession(session, false);
    }
    // An interpreter without intentls: `python -m intentls` cannot work.
    const python = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => fs.existsSync(p));
    assert.ok(python, 'no system python3 to point intentls.server.python at');
    await openSession('missing', { trusted: true, launch: { 'intentls.server.python': python }, expectReady: false });
    await statusItem('intentls: not running').waitFor({ state: 'visible', timeout: STEP_MS });
    const message = toast('-m intentls');
    await message.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await message.innerText(), /pip install intentls/);
    await message.locator('.monaco-button', { hasText: 'Open Settings' }).waitFor({ state: 'visible', timeout: STEP_MS });
});

/**
 * Closes the open sessions for a one-step install test; false (the test skipped) when the vsix
 * under test carries no server wheels (`make dist`'s does).
 */
async function closedWithWheels(skip) {
    for (const session of sessions) {
        await closeSession(session, false);
    }
    const listing = execFileSync('python3', ['-m', 'zipfile', '-l', VSIX], { encoding: 'utf8' });
    if (!/bundled\/wheels\/intentls-/.test(listing)) {
        skip('this vsix carries no server wheels (test the one `make dist` builds)');
        return false;
    }
    return true;
}

check('one-step install with only an old Python on PATH: the message names it and what to do', async (skip) => {
    if (!(await closedWithWheels(skip))) {
        return;
    }
    // A real interpreter older than 3.11: Debian's PyPy (scripts/test.sh installs it), first on
    // PATH as both names the extension tries.
    const pypy = ['/usr/bin/pypy3', '/usr/local/bin/pypy3'].find((p) => fs.existsSync(p));
    assert.ok(pypy, 'no pypy3 (scripts/test.sh installs Debian\'s)');
    const version = execFileSync(pypy, ['-c', 'import sys; print(*sys.version_info[:3], sep=".")'], { encoding: 'utf8' }).trim();
    if (!/^3\.(\d|10)\./.test(version)) {
        skip(`pypy3 here is Python ${version}, not older than 3.11`);
        return;
    }
    const old = path.join(tmp, 'old-python');
    fs.mkdirSync(old, { recursive: true });
    for (const name of ['python3', 'python']) {
        fs.symlinkSync(pypy, path.join(old, name));
    }
    await openSession('old-python', { trusted: true, launch: {}, expectReady: false, pathFirst: old });
    await statusItem('intentls: not running').waitFor({ state: 'visible', timeout: STEP_MS });
    const message = await notification('needs Python 3.11 or newer');
    const text = await message.innerText();
    assert.match(text, new RegExp(`python3 is Python ${version.replaceAll('.', '\\.')}`));
    assert.match(text, /Install a newer Python/);
    await message.locator('.monaco-button', { hasText: 'Open Settings' }).waitFor({ state: 'visible', timeout: STEP_MS });
});

check('one-step install: no server configured and none on PATH, the extension installs its bundled one', async (skip) => {
    if (!(await closedWithWheels(skip))) {
        return;
    }
    // No intentls.server.* settings; PATH has no intentls (isolatedEnv).
    await openSession('provisioned', { trusted: true, launch: {} });
    assert.match(serverLog(), /installed the intentls server [^ ]+ into .*globalStorage/);
    const intent = '$ echo from-bundled-server > bundled.txt';
    await runIntent(intent, 'run as typed');
    await waitForFile(path.join(workspace, 'bundled.txt'), 'from-bundled-server');
});
