"""Whether a process is really gone (a zombie waiting for init to reap it counts as gone)."""

from __future__ import annotations

from pathlib import Path


def gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def alive(pid: int) -> bool:
    return not gone(pid)


def pid_in(text: str) -> int:
    """The pid a test command printed as `pid=N`."""
    for line in text.splitlines():
        if line.startswith("pid="):
            return int(line[4:])
    raise AssertionError(f"no pid= line in {text!r}")
