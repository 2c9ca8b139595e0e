"""The terminal's end of the link: `intentls run` asks a server that serves the folder to do
the run, and prints what the server shows of it on this terminal.

`run_in_server` answers the exit status, or None when no server took the run — none serves the
folder, the socket is stale, the server refused (another version, a folder it does not serve) —
and the caller runs it locally. Once a server has accepted, the run is its: a server that goes
away mid-run is reported, never run a second time here.

Imports only the standard library's basics (json, os, signal, socket, sys): this is what every
`intentls run` pays before it knows whether it needs the engine."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any, BinaryIO

from intentls.link import registry

CONNECT_S = 2.0
"""How long connecting and the server's first answer may take before running locally."""
EXIT_GONE = 130
"""The server went away mid-run (the run ended interrupted), or Ctrl-C came before it started:
as cli_running.EXIT_CANCELLED."""


def run_in_server(args: argparse.Namespace) -> int | None:
    from intentls import __version__
    from intentls.history.place import history_path

    directory = registry.servers_dir(history_path({}))
    try:
        here = os.fspath(Path.cwd())
    except OSError:
        return None  # a directory removed under the terminal: the local run says so
    if not registry.private_dir(directory, create=False):
        return None
    names = registry.serving(directory, here, __version__)
    if not names:
        return None
    ask = {
        "protocol": registry.PROTOCOL,
        "version": __version__,
        "intent": args.intent,
        "cwd": here,
        "params": list(args.param),
        "yes": bool(args.yes),
        "force": bool(args.force),
        "env": dict(os.environ),
        **_terminal(),
    }
    for name in names:
        sock = registry.connect(directory, name, CONNECT_S)
        if sock is None:
            continue
        with sock:
            status = _converse(sock, ask)
        if status is not None:
            return status
    return None


def _terminal() -> dict[str, Any]:
    """How the server should draw for this stdout: a terminal's size, or unwrapped lines."""
    if not sys.stdout.isatty():
        return {"tty": False}
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except OSError:
        size = os.terminal_size((0, 0))
    known = {"width": size.columns, "height": size.lines} if size.columns and size.lines else {}
    return {"tty": True, **known}  # unknown (0x0): COLUMNS/LINES, else 80x25, as rich does


def _converse(sock: socket.socket, ask: dict[str, Any]) -> int | None:
    try:
        sock.sendall(json.dumps(ask).encode() + b"\n")
        answers = sock.makefile("rb")
        first = _message(answers)
        if first is None or not first.get("accepted"):
            return None  # refused, or gone before it started anything: run here
        sock.sendall(b'{"go": true}\n')  # the server starts nothing before this arrives
    except OSError:
        return None
    except KeyboardInterrupt:
        return EXIT_GONE  # Ctrl-C before anything started: nothing ran, nothing to run
    sock.settimeout(None)
    return _follow(sock, answers)


def _follow(sock: socket.socket, answers: BinaryIO) -> int:
    """Print what the server shows until the run's exit status arrives."""

    def tell(message: dict[str, bool]) -> None:
        with suppress(OSError):  # the server is gone: the next read says so
            sock.sendall(json.dumps(message).encode() + b"\n")

    previous = signal.signal(signal.SIGINT, lambda *_: tell({"interrupt": True}))
    told_gone = False
    try:
        while True:
            try:
                message = _message(answers)
            except OSError:
                message = None
            if message is None:
                sys.stderr.write(
                    "intentls: the server running this went away before it ended; "
                    "`intentls history` shows how it ended\n"
                )
                return EXIT_GONE
            if "out" in message:
                sys.stdout.write(message["out"])
                sys.stdout.flush()
                if not told_gone and getattr(sys.stdout, "gone", False):
                    told_gone = True
                    tell({"gone": True})  # nobody reads: the server stops drawing
            elif "err" in message:
                sys.stderr.write(message["err"])
                sys.stderr.flush()
            elif "exit" in message:
                return int(message["exit"])
    finally:
        signal.signal(signal.SIGINT, previous)


def _message(answers: BinaryIO) -> dict[str, Any] | None:
    line = answers.readline()
    try:
        value = json.loads(line) if line.endswith(b"\n") else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
