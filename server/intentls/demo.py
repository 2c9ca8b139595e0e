"""`intentls demo`: the main job end to end, as an editor would see it. A sample project in a
temporary folder, the real `intentls serve` driven by a real LSP client (pygls), streamed
progress and output, a failing run, then the history — kept in the default history file."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from rich.console import Console
from rich.table import Table

from intentls.history.place import history_path
from intentls.vocabulary import CommandId, Notification

SAMPLE = textwrap.dedent(
    """
    [intents.lint]
    description = "Static checks"
    run = "echo 'checking style…'; sleep 0.4; echo 'lint: 0 problems'"

    [intents.test]
    description = "Unit tests"
    run = "for n in 1 2 3 4; do echo \\"test_$n ... ok\\"; sleep 0.2; done"

    [intents.build]
    description = "Build the app"
    steps = [
      "mkdir -p dist",
      { run = "echo 'app v1' > dist/app.txt && echo built dist/app.txt", title = "package" },
    ]

    [intents.deploy]
    description = "Deploy (fails: no credentials in the demo)"
    run = "echo 'connecting to prod…'; echo 'error: DEPLOY_TOKEN is not set' >&2; exit 2"
    """
)

console = Console(highlight=False)


async def demo() -> int:
    with tempfile.TemporaryDirectory(prefix="intentls-demo-") as tmp:
        folder = Path(tmp) / "sample-project"
        folder.mkdir()
        (folder / "intents.toml").write_text(SAMPLE, encoding="utf-8")
        console.rule("[bold]intentls demo")
        console.print(f"sample project: {folder}")
        console.print(f"history file:   {history_path({})}\n")
        client = _client()
        await client.start_io(sys.executable, "-m", "intentls", "serve")
        try:
            return await _session(client, folder)
        finally:
            await client.shutdown_async(None)
            client.exit(None)
            await client.stop()  # type: ignore[no-untyped-call]


def _client() -> LanguageClient:
    client = LanguageClient("intentls-demo", "1")

    def output(params: Any) -> None:
        for line in params.text.splitlines():
            console.print(f"    [dim]{params.stepId} │[/] {line}")

    def progress(params: lsp.ProgressParams) -> None:
        value: Any = params.value
        if value["kind"] == "begin":
            console.print(f"  [cyan]▶ progress: {value['title']}[/]")
        elif value["kind"] == "report":
            console.print(f"  [cyan]… {value['percentage']:>3}%  running: {value['message']}[/]")
        else:
            console.print(f"  [cyan]■ {value['message']}[/]")

    def started(params: Any) -> None:
        console.print(f"  [dim]intentls/runStarted {params.runId}[/]")

    def finished(params: Any) -> None:
        console.print(f"  [dim]intentls/runFinished {params.runId}: {params.status}[/]")

    def show(params: lsp.ShowMessageParams) -> None:
        console.print(f"[yellow]server says: {params.message}[/]")

    def log(params: lsp.LogMessageParams) -> None:
        console.print(f"  [dim]server log: {params.message}[/]")

    handlers: dict[str, Any] = {
        Notification.OUTPUT: output,
        lsp.PROGRESS: progress,
        Notification.RUN_STARTED: started,
        Notification.RUN_FINISHED: finished,
        lsp.WINDOW_SHOW_MESSAGE: show,
        lsp.WINDOW_LOG_MESSAGE: log,
    }
    for method, handler in handlers.items():
        client.feature(method)(handler)
    return client


async def _session(client: LanguageClient, folder: Path) -> int:
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(),
            initialization_options={"trusted": True},
            workspace_folders=[lsp.WorkspaceFolder(folder.as_uri(), folder.name)],
            client_info=lsp.ClientInfo("intentls-demo"),
        )
    )
    client.initialized(lsp.InitializedParams())

    async def command(name: str, args: dict[str, Any], token: str | None = None) -> Any:
        params = lsp.ExecuteCommandParams(name, [args], work_done_token=token)
        return await client.workspace_execute_command_async(params)

    console.print("[bold]1. What can I run here?[/]  intentls.list")
    table = Table("intent", "source", "description", box=None)
    for intent in await command(CommandId.LIST, {}):
        table.add_row(intent["name"], intent["source"], intent.get("description", ""))
    console.print(table)

    goal = "lint and test then build"
    console.print(f"\n[bold]2. Plan «{goal}»[/]  intentls.plan (nothing runs)")
    plan = await command(CommandId.PLAN, {"intent": goal})
    for step in plan["steps"]:
        after = ", ".join(step["dependsOn"]) or "start"
        console.print(f"  {step['id']}: {step['title']:<18} after {after}")

    console.print("\n[bold]3. Run it[/]  intentls.run, progress and output streamed live")
    result = await command(CommandId.RUN, {"intent": goal}, token="demo-1")
    _summary(result)
    ran = result["status"]
    console.print(f"  dist/app.txt: {(folder / 'dist' / 'app.txt').read_text().strip()!r}")

    console.print("\n[bold]4. A failing run[/]  the error is classified and kept")
    result = await command(CommandId.RUN, {"intent": "deploy"}, token="demo-2")
    _summary(result)
    failed = result["status"]

    console.print("\n[bold]5. History[/]  intentls.history (this folder, newest first)")
    table = Table("started", "status", "ms", "intent", "run", box=None)
    for run in await command(CommandId.HISTORY, {"limit": 10}):
        table.add_row(
            run["startedAt"][11:19],
            run["status"],
            str(run["durationMs"]),
            run["intent"],
            run["runId"],
        )
    console.print(table)
    console.print("\n[bold]6. Undo[/]  intentls.undo: the newest run that changed files")
    undone = await command(CommandId.UNDO, {})
    console.print(
        f"  {undone['status']}: run {undone['runId']}, restored {', '.join(undone['restored'])}"
    )
    console.print(f"  dist/app.txt still there: {(folder / 'dist' / 'app.txt').exists()}")
    console.print("\nSame history from a terminal: [bold]intentls history --all[/]")
    return _verdict(
        {
            f"«{goal}» succeeded": ran == "succeeded",
            "deploy failed": failed == "failed",
            "the undo restored the build": undone["status"] == "undone",
        }
    )


def _verdict(checks: dict[str, bool]) -> int:
    """One line, even with --quiet: what the demo showed, or what did not behave."""
    wrong = [what for what, ok in checks.items() if not ok]
    if wrong:
        failed = f"intentls demo: FAILED: not as expected: {'; '.join(wrong)}"
        Console(stderr=True, soft_wrap=True).print(failed)
        return 1
    Console(highlight=False, soft_wrap=True).print(f"intentls demo: ok ({', '.join(checks)})")
    return 0


def _summary(result: dict[str, Any]) -> None:
    colour = "green" if result["status"] == "succeeded" else "red"
    console.print(
        f"  [{colour}]{result['status']}[/] in {result['durationMs']} ms, run {result['runId']}"
    )
    for step in result["steps"]:
        error = step.get("error")
        why = f" — {error['category']}: {error['message']}" if error else ""
        console.print(f"    {step['id']} {step['title']}: {step['status']}{why}")


def main(quiet: bool = False) -> int:
    """`quiet`: only the verdict line (a smoke test of an installed server)."""
    console.quiet = quiet
    return asyncio.run(demo())
