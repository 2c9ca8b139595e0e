"""The server's end of the terminal link: a Unix socket (link/registry.py) where `intentls run`
in a terminal hands this server a run of a folder it serves. The server runs it as the terminal
would (cli_running.py: trusted, client `intentls-cli`, the terminal's environment), snapshots
through its own watcher, records it in the history as usual, and draws the terminal's view
(cli_view.py) on a console whose writes travel to the terminal.

Only the same user's processes are served (the directory is 0700, and each peer's uid is
checked with SO_PEERCRED)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from intentls import __version__
from intentls.cli_pipe import PIPED_WIDTH
from intentls.cli_running import EXIT_BLOCKED, Interrupts, exit_status, request_at, start_shown
from intentls.engine import ActiveRun, RunRequest
from intentls.folders import Folder
from intentls.link import registry
from intentls.model import RunResult, RunStatus
from intentls.planning.planner import IntentError
from intentls.services import Services

log = logging.getLogger(__name__)

ASK_LIMIT = 4 * 1024 * 1024
"""The longest first message (the terminal's environment rides in it)."""
BUFFERED_LIMIT = 8 * 1024 * 1024
"""Output held for a terminal that does not read (suspended, a stalled pipe) beyond which its
output is dropped rather than the server's memory grown; the run goes on."""
GOODBYE_S = 10.0
"""How long closing waits for terminals to get how their interrupted runs ended."""


class TerminalLink:
    def __init__(self, services: Services, folders: Callable[[], Sequence[Folder]]) -> None:
        """`folders`: the workspace folders this server serves, as they are now."""
        self._services = services
        self._folders = folders
        self._directory = Path()
        self._name = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._server: asyncio.AbstractServer | None = None
        self._runs: dict[asyncio.Task[None], ActiveRun | None] = {}
        self._closing = False

    async def open(self) -> bool:
        """Listen and say so in the registry; False when there is no history file to share."""
        history = self._services.history.path
        if history is None:
            return False
        directory = registry.servers_dir(history)
        if not registry.private_dir(directory, create=True):
            log.warning("terminal link: %s is not a private directory; not listening", directory)
            return False
        self._directory = directory
        _forget_the_dead(directory)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        with registry.address(directory, f"{self._name}.sock") as where:
            sock.bind(where)
        self._server = await asyncio.start_unix_server(self._serve, sock=sock, limit=ASK_LIMIT)
        self.publish()
        return True

    def publish(self) -> None:
        """(Re)write the entry: the folders served now, as given and as real paths."""
        if self._server is None or self._closing:
            return
        paths = [os.fspath(f.path) for f in self._folders()]
        folders = list(dict.fromkeys([*paths, *(os.path.realpath(p) for p in paths)]))
        entry = {
            "protocol": registry.PROTOCOL,
            "version": __version__,
            "pid": os.getpid(),
            "folders": folders,
        }
        registry.write_entry(self._directory, self._name, entry)

    async def close(self) -> None:
        """No new runs; runs in flight end interrupted, and their terminals are told."""
        self._closing = True
        if self._server is None:
            return
        self._server.close()
        registry.remove(self._directory, self._name)
        runs = [r for r in self._runs.values() if r is not None]
        await asyncio.gather(*(r.cancel(RunStatus.INTERRUPTED) for r in runs))
        if self._runs:
            await asyncio.wait(list(self._runs), timeout=GOODBYE_S)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._runs[task] = None
        wire = _Wire(writer)
        try:
            sock = writer.get_extra_info("socket")
            if self._closing or registry.peer_uid(sock) != os.getuid():
                return
            ask = _ask(await reader.readline())
            request = request_at(
                ask["intent"], Path(ask["cwd"]), ask["params"], ask["yes"], ask["force"], ask["env"]
            )
            refusal = self._refusal(ask, request.folder.path)
            if refusal is not None:
                wire.send({"refused": refusal})
                return
            wire.send({"accepted": True})
            if _said(await reader.readline()) != "go":
                return  # the terminal gave up waiting and runs it itself
            await self._run(request, _console(wire, ask), reader, task)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            log.debug("terminal link: a conversation ended early", exc_info=True)
        finally:
            self._runs.pop(task, None)
            writer.close()

    def _refusal(self, ask: dict[str, Any], folder: Path) -> str | None:
        """Why this server will not take the run (the terminal then runs it itself): another
        version, or a project folder inside none of the workspace folders."""
        if ask.get("protocol") != registry.PROTOCOL or ask.get("version") != __version__:
            return f"this server is intentls {__version__}"
        real = os.path.realpath(folder)
        if not any(registry.inside(real, os.path.realpath(f.path)) for f in self._folders()):
            return "this server does not serve that folder"
        return None

    async def _run(
        self,
        request: RunRequest,
        console: Console,
        reader: asyncio.StreamReader,
        task: asyncio.Task[None],
    ) -> None:
        wire = console.file
        assert isinstance(wire, _Wire)
        try:
            started = await start_shown(self._services.engine, request, console)
        except IntentError as exc:
            wire.send({"err": f"intentls: {exc}\n"})
            wire.send({"exit": EXIT_BLOCKED})
            return
        if isinstance(started, RunResult):
            wire.send({"exit": exit_status(started), "runId": started.run_id})
            return
        self._runs[task] = started
        listening = asyncio.ensure_future(
            _listen(reader, wire, started, Interrupts(console, started))
        )
        try:
            assert started.task is not None
            result = await asyncio.shield(started.task)
        finally:
            listening.cancel()
        if self._closing:
            wire.send({"err": "intentls: the editor's server shut down during the run\n"})
        wire.send({"exit": exit_status(result), "runId": result.run_id})


async def _listen(
    reader: asyncio.StreamReader, wire: _Wire, run: ActiveRun, interrupts: Interrupts
) -> None:
    """What the terminal says during the run: Ctrl-C, its reader went away, or it is gone
    itself (closed, killed): then the run is cancelled, as it would have died with it."""
    while True:
        try:
            said = _said(await reader.readline())
        except (OSError, ValueError):  # reset, or a line past the limit: as good as gone
            said = None
        if said == "interrupt":
            interrupts.press()
        elif said == "gone":
            wire.gone = True
        elif said is None:
            wire.gone = wire.hung_up = True
            await run.cancel()
            return


class _Wire:
    """A console's file whose writes travel to the terminal, in order, from the event loop or
    from the progress display's refresh thread (whose writes the loop sends)."""

    encoding = "utf-8"

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self.gone = False
        """Nobody reads the terminal's stdout any more: the view skips drawing output."""
        self.hung_up = False
        """The terminal itself is gone: nothing is sent any more."""
        self._dropped = 0

    def write(self, text: str) -> int:
        if threading.get_ident() == self._thread:
            self._out(text)
        else:  # the progress display's refresh thread
            self._loop.call_soon_threadsafe(self._out, text)
        return len(text)

    def flush(self) -> None:
        pass

    def send(self, message: dict[str, Any]) -> None:
        if not (self.hung_up or self._writer.transport.is_closing()):
            self._writer.write(json.dumps(message).encode() + b"\n")

    def _out(self, text: str) -> None:
        if self._writer.transport.get_write_buffer_size() > BUFFERED_LIMIT:
            self._dropped += len(text)
            return
        if self._dropped:
            text = f"… {self._dropped} characters not shown (the terminal did not read)\n{text}"
            self._dropped = 0
        self.send({"out": text})


def _console(wire: _Wire, ask: dict[str, Any]) -> Console:
    """The terminal's console as the terminal itself would make it (cli_pipe.stdout_console):
    its size and colours when it is one, else unwrapped lines."""
    tty = ask["tty"]
    return Console(
        file=wire,  # type: ignore[arg-type]
        width=ask.get("width") if tty else PIPED_WIDTH,
        height=ask.get("height") if tty else None,
        force_terminal=tty,
        force_interactive=tty,
        highlight=False,
        _environ=ask["env"],
    )


def _ask(line: bytes) -> dict[str, Any]:
    """The terminal's request, checked (ValueError when it is not one)."""
    ask = json.loads(line)
    shapes: dict[str, type | tuple[type, ...]] = {
        "intent": str,
        "cwd": str,
        "params": list,
        "yes": bool,
        "force": bool,
        "env": dict,
        "tty": bool,
    }
    if not isinstance(ask, dict) or any(not isinstance(ask.get(k), t) for k, t in shapes.items()):
        raise ValueError("not a terminal link request")
    if not Path(ask["cwd"]).is_absolute():
        raise ValueError("cwd must be absolute")
    if not all(isinstance(p, str) for p in ask["params"]) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in ask["env"].items()
    ):
        raise ValueError("params and env are strings")
    return ask


def _said(line: bytes) -> str | None:
    """One word of the terminal's (`{"go": true}` → "go"); None at its end."""
    if not line:
        return None
    try:
        message = json.loads(line)
    except ValueError:
        return ""
    return next(iter(message), "") if isinstance(message, dict) else ""


def _forget_the_dead(directory: Path) -> None:
    """Entries of servers that died without closing (their pid is gone)."""
    for name, entry in list(registry.entries(directory)):
        pid = entry.get("pid")
        if isinstance(pid, int) and not _alive(pid):
            registry.remove(directory, name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
