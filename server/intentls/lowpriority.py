"""Background work that yields to everything else on the machine: a thread of its own whose CPU
priority is lowered (nice) and whose I/O is in the idle class, so that warming a big folder's
index never slows the person's build, tests or editor.

On Linux both are per thread: `setpriority` and `ioprio_set` take the thread's native id. A
lowered priority cannot be raised again without privileges, so the work gets a new thread that
ends with it, and the caller waits for it (the caller's own thread keeps its priority). Where
the system refuses or lacks either call, the work runs all the same, at normal priority.

The thread still shares the GIL with the event loop: a thread that the scheduler holds back
while it holds the GIL holds the loop back too, which is why NICE is moderate, not 19."""

from __future__ import annotations

import ctypes
import logging
import os
import platform
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

NICE = 5
"""Added to the thread's nice value: a third of the CPU share of a normal process when the
machine is busy, all of it when idle. Not more: measured on a busy 2-core machine, a warm-up at
+10 held the event loop back about twice as long as one at +0 (the scheduler kept it off the
CPU while it held the GIL), and took twice as long."""

IOPRIO_WHO_PROCESS = 1
"""`who` is a thread id (Linux's ioprio_set(2) calls every task a process)."""
IOPRIO_CLASS_IDLE = 3
IOPRIO_CLASS_SHIFT = 13
IOPRIO_SET = {"x86_64": 251, "aarch64": 30, "arm64": 30}
IOPRIO_GET = {"x86_64": 252, "aarch64": 31, "arm64": 31}
"""Syscall numbers: Python has no binding for ioprio_set/ioprio_get."""


def run_low(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on a new thread at low CPU and idle I/O priority; returns its result (or
    raises its exception) once it is done. Blocking: call it from a worker thread."""
    outcome: list[Any] = []

    def work() -> None:
        lower_this_thread()
        try:
            outcome.append((True, fn(*args)))
        except BaseException as exc:  # handed to the caller's thread
            outcome.append((False, exc))

    thread = threading.Thread(target=work, name="intentls-low", daemon=True)
    thread.start()
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value  # type: ignore[no-any-return]


def lower_this_thread() -> None:
    """This thread only: nice + NICE and the idle I/O class (when the system allows)."""
    tid = threading.get_native_id()
    try:
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + NICE))
    except (AttributeError, OSError) as exc:
        log.debug("cannot lower the CPU priority of thread %d: %s", tid, exc)
    number = IOPRIO_SET.get(platform.machine())
    if number is not None:
        ioprio = IOPRIO_CLASS_IDLE << IOPRIO_CLASS_SHIFT
        if _syscall(number, IOPRIO_WHO_PROCESS, tid, ioprio) != 0:
            log.debug("cannot put thread %d in the idle I/O class", tid)


def io_class(tid: int) -> int | None:
    """A thread's I/O priority class (3: idle), None where it cannot be read."""
    number = IOPRIO_GET.get(platform.machine())
    if number is None:
        return None
    value = _syscall(number, IOPRIO_WHO_PROCESS, tid)
    return None if value < 0 else value >> IOPRIO_CLASS_SHIFT


def _syscall(number: int, *args: int) -> int:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return -1
    return int(libc.syscall(number, *args))
