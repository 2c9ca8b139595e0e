"""`intentls run` in a terminal while an editor's server serves the folder: the server does the
run (its history owner recorded it, with the terminal's environment), the terminal prints it
and exits with its status, the run is undoable from the terminal; a folder the server does not
serve, `--local`, a server shutting down mid-run and a stale socket after it are handled."""

from __future__ import annotations

import asyncio
import json
import shlex
import signal
import socket
import sqlite3
import subprocess
from pathlib import Path

from intentls import __version__
from intentls.link.registry import address, connect
from tests.e2e.session import TIMEOUT_S, session
from tests.e2e.terminal import INTENTLS, bash, cli, cli_env, cli_into


def owners(home: Path) -> dict[str, tuple[str, str | None, str]]:
    """Each run's (owner: the process that recorded it, client, status), by intent."""
    db = sqlite3.connect(f"file:{home / 'history.db'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT intent, owner, client, status FROM runs ORDER BY started_at")
        return {intent: (owner, client, status) for intent, owner, client, status in rows}
    finally:
        db.close()


async def listening(home: Path) -> Path:
    """The server's registry entry, once its link listens (it opens after `initialized`)."""
    servers = home / "history.db.servers"
    async with asyncio.timeout(TIMEOUT_S):
        while not list(servers.glob("*.json")):
            await asyncio.sleep(0.02)
    [entry] = servers.glob("*.json")
    return entry


ASK = {
    "protocol": 1,
    "version": "0.0.0",
    "intent": "$ echo never",
    "params": [],
    "yes": False,
    "force": False,
    "env": {},
    "tty": False,
}


def talk(entry: Path, ask: object) -> dict[str, object] | None:
    """A raw request to the server of `entry`; its first answer (None: it hung up)."""
    sock = connect(entry.parent, entry.stem, TIMEOUT_S)
    assert sock is not None
    with sock:
        sock.sendall(json.dumps(ask).encode() + b"\n")
        line = sock.makefile("rb").readline()
    return json.loads(line) if line else None


async def ended(home: Path, intent: str) -> None:
    """Once the history says the run of `intent` is no longer running."""
    async with asyncio.timeout(TIMEOUT_S):
        while owners(home).get(intent, ("", None, "running"))[2] == "running":
            await asyncio.sleep(0.05)


async def terminal(home: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(cli, home, folder, *args)


async def started(
    home: Path, folder: Path, word: str, before: str = ""
) -> asyncio.subprocess.Process:
    """`intentls run '$ BEFORE echo WORD; sleep 60'`, once WORD was printed."""
    cli = await asyncio.create_subprocess_exec(
        *INTENTLS,
        "run",
        f"$ {before}echo {word}; sleep 60",
        cwd=folder,
        env=cli_env(home),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert cli.stdout is not None
    assert await cli.stdout.readline() == f"{word}\n".encode()
    return cli


async def test_a_terminal_run_goes_through_the_editors_server(
    home: Path, folder: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    async with session(home, [folder]) as ses:
        await ses.run("$ echo from the editor")
        entry = await listening(home)
        assert (entry.parent.stat().st_mode & 0o777) == 0o700
        server_owner = owners(home)["$ echo from the editor"][0]

        script = f"TERMINAL_ONLY=hers {shlex.join([*INTENTLS, 'run', '$ echo $TERMINAL_ONLY'])}"
        shown = await asyncio.to_thread(bash, home, folder, script)
        assert shown.returncode == 0, shown.stderr
        lines = shown.stdout.splitlines()
        assert lines[0] == "hers", "the terminal's environment, not the server's"
        assert lines[1].startswith("✓ $ echo $TERMINAL_ONLY  ")
        assert lines[-1].startswith("$ echo $TERMINAL_ONLY: succeeded in "), shown.stdout
        assert owners(home)["$ echo $TERMINAL_ONLY"] == (server_owner, "intentls-cli", "succeeded")

        failed = await terminal(home, folder, "run", "fail")
        assert failed.returncode == 3, failed.stdout + failed.stderr
        assert "about to fail" in failed.stdout and "fail: failed" in failed.stdout
        assert owners(home)["fail"][:2] == (server_owner, "intentls-cli")

        made = await terminal(home, folder, "run", "$ echo new > made.txt")
        assert made.returncode == 0 and (folder / "made.txt").exists(), made.stderr
        undone = await terminal(home, folder, "undo")
        assert undone.returncode == 0, undone.stderr
        assert "undone «$ echo new > made.txt»" in undone.stdout
        assert not (folder / "made.txt").exists()

        held = await terminal(home, folder, "run", "delete intents.toml")
        assert held.returncode == 2, held.stdout + held.stderr
        assert "to run it anyway: intentls run 'delete intents.toml' --yes" in held.stdout
        assert (folder / "intents.toml").exists()

        unknown = await terminal(home, folder, "run", "no such intent here")
        assert unknown.returncode == 2 and unknown.stderr.startswith("intentls: "), unknown

        away = await terminal(home, elsewhere, "run", "$ echo away")
        local = await terminal(home, folder, "run", "--local", "$ echo local")
        assert away.returncode == 0 and local.returncode == 0, away.stderr + local.stderr
        assert owners(home)["$ echo away"][0] != server_owner, "a folder it does not serve"
        assert owners(home)["$ echo local"][0] != server_owner, "--local runs here"

        assert await asyncio.to_thread(talk, entry, {**ASK, "cwd": str(folder)}) == {
            "refused": f"this server is intentls {__version__}"
        }, "another version: the terminal runs it itself"
        assert await asyncio.to_thread(talk, entry, "nonsense") is None, "closed"
        assert "$ echo never" not in owners(home)

        piped = await asyncio.to_thread(
            cli_into, home, folder, "head -1", "run", "$ seq 1 3000; echo end > piped.txt"
        )
        assert piped.returncode == 0, piped.stderr
        assert (folder / "piped.txt").exists(), "the reader went away, the run went on"
        assert owners(home)["$ seq 1 3000; echo end > piped.txt"][2] == "succeeded"

        # Ctrl-C: cancel (SIGTERM, which this step ignores), then Ctrl-C again: kill.
        interrupted = await started(home, folder, "started", before="trap '' TERM; ")
        interrupted.send_signal(signal.SIGINT)
        assert (
            await interrupted.stdout.readline() == "cancelling… (Ctrl-C again to kill)\n".encode()
        )
        interrupted.send_signal(signal.SIGINT)
        out, _ = await asyncio.wait_for(interrupted.communicate(), TIMEOUT_S)
        assert interrupted.returncode == 130, out
        run = owners(home)["$ trap '' TERM; echo started; sleep 60"]
        assert run == (server_owner, "intentls-cli", "cancelled")

        left = await started(home, folder, "left")
        left.kill()  # the terminal is gone (closed, killed): its run is cancelled
        await left.wait()
        await ended(home, "$ echo left; sleep 60")
        assert owners(home)["$ echo left; sleep 60"] == (server_owner, "intentls-cli", "cancelled")

        mid_run = await started(home, folder, "begun")
        kept = json.loads(entry.read_text(encoding="utf-8"))
    out, err = await asyncio.wait_for(mid_run.communicate(), TIMEOUT_S)
    assert mid_run.returncode == 130, out + err
    assert b"the editor's server shut down during the run" in err
    assert owners(home)["$ echo begun; sleep 60"] == (server_owner, "intentls-cli", "interrupted")
    assert not entry.exists(), "a server that shut down is no longer listed"

    # A server that died without closing: its entry and a socket nobody listens on.
    entry.write_text(json.dumps(kept), encoding="utf-8")
    stale = socket.socket(socket.AF_UNIX)
    with address(entry.parent, entry.with_suffix(".sock").name) as where:
        stale.bind(where)
    stale.close()
    after = await terminal(home, folder, "run", "$ echo after")
    assert after.returncode == 0 and "after" in after.stdout, after.stderr
    assert owners(home)["$ echo after"][0] != server_owner
    assert not entry.exists(), "the stale entry is gone"
