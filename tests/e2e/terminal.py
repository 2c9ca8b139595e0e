"""`intentls` run in a subprocess as a person runs it in a terminal, with its own user data."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

INTENTLS = [sys.executable, "-m", "intentls"]


def cli_env(home: Path) -> dict[str, str]:
    """The person's environment, with the venv's tools (just) on PATH and user data in `home`."""
    return {
        **os.environ,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "INTENTLS_HISTORY": str(home / "history.db"),
    }


def cli(
    home: Path, folder: Path, *args: str, wrap: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """`wrap`: a command intentls is started through."""
    return _run(home, folder, [*wrap, *INTENTLS, *args])


def cli_into(home: Path, folder: Path, reader: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`intentls ARGS | READER` through a shell; the returncode is intentls's own."""
    command = " ".join(shlex.quote(a) for a in [*INTENTLS, *args])
    return bash(home, folder, f'{command} | {reader} > /dev/null; exit "${{PIPESTATUS[0]}}"')


def bash(home: Path, folder: Path, script: str) -> subprocess.CompletedProcess[str]:
    """`script` in a real bash standing in `folder`, with the person's environment."""
    return _run(home, folder, ["bash", "-c", script])


def _run(home: Path, folder: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=folder,
        env=cli_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
