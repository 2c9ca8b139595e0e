"""A first classification of why a step failed, stored with the step for later analysis."""

from __future__ import annotations

import signal

from intentls.model import StepError

TIMEOUT = "timeout"
SPAWN = "spawn"


def classify_exit(exit_code: int, output_tail: str) -> StepError:
    last = _last_line(output_tail)
    suffix = f": {last}" if last else ""
    if exit_code < 0:
        try:
            name = signal.Signals(-exit_code).name
        except ValueError:
            name = f"signal {-exit_code}"
        return StepError("signal", f"killed by {name}{suffix}")
    if exit_code == 127:
        return StepError("commandNotFound", f"command not found (exit 127){suffix}")
    if exit_code == 126:
        return StepError("permission", f"command not executable (exit 126){suffix}")
    return StepError("exitCode", f"exited with code {exit_code}{suffix}")


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:300]
    return ""
