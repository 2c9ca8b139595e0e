"""Background work at low priority (`intentls.lowpriority`): the work's own thread runs at a
higher nice value and in the idle I/O class, the caller's thread keeps its priority, and what
the work returns or raises reaches the caller."""

from __future__ import annotations

import os
import threading

import pytest

from intentls import lowpriority


def nice_of(tid: int) -> int:
    """The nice value as the kernel reports it for the thread (/proc, field 19)."""
    with open(f"/proc/self/task/{tid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[16])


def where_am_i() -> tuple[int, int, int | None]:
    tid = threading.get_native_id()
    return tid, nice_of(tid), lowpriority.io_class(tid)


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="Linux /proc")
def test_the_work_runs_on_a_lowered_thread_and_the_caller_keeps_its_priority() -> None:
    caller, before, caller_io = where_am_i()
    tid, nice, io = lowpriority.run_low(where_am_i)
    assert tid != caller
    assert nice == min(19, before + lowpriority.NICE)
    if io is not None:  # the idle I/O class, where the system has it
        assert io == lowpriority.IOPRIO_CLASS_IDLE
    assert where_am_i() == (caller, before, caller_io)


def test_the_works_exception_reaches_the_caller() -> None:
    def fails(what: str) -> None:
        raise ValueError(what)

    with pytest.raises(ValueError, match="the walk failed"):
        lowpriority.run_low(fails, "the walk failed")
