"""Failures: a failed step's output throughput with every problem matcher on vs off (same run,
real processes), what matching would cost if it read the whole stream, and the classifier's
cost per failed step (the labelled captured corpus)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from intentls.execution.executor import Execution
from intentls.failures import classify
from intentls.failures.book import DiagnosticsBook, FailedStep
from intentls.failures.diagnostics import find_diagnostics
from intentls.failures.matchers.builtin import BUILTIN
from intentls.failures.matchers.engine import Matching
from intentls.model import Plan, PlanStep, StepResult
from tests.bench.stats import median, row
from tests.failures.corpus import captured

MB = 16
LINE = "tests/test_orders.py::test_refund_of_a_partial_shipment[case-017] PASSED    [ 42%]"
"""A typical line of a long log: what every matcher must pass over."""
LOUD = (
    f'{sys.executable} -c "import sys\n'
    f"line = '{LINE}' + chr(10)\n"
    f"sys.stdout.write(line * ({MB} * 1024 * 1024 // len(line)))\n"
    f"sys.exit('app.py:3: error: it broke')\""
)


class _Quiet:
    """An observer that keeps nothing: the cost measured is the executor's and the book's."""

    def __init__(self) -> None:
        self.tail = ""

    def step_started(self, step: PlanStep) -> None:
        pass

    def step_output(self, step_id: str, stream: str, text: str) -> None:
        pass

    def step_finished(self, result: StepResult, output_tail: str) -> None:
        self.tail = output_tail


async def _stream(folder: Path, book: DiagnosticsBook | None, tail: str) -> tuple[float, str]:
    """Seconds for the loud step's output to be delivered; with a book, the diagnostics of the
    previous failed run (every matcher) are being found meanwhile, as after runs back to back."""
    step = PlanStep("s1", "loud", "shell", {"command": LOUD}, cwd=str(folder))
    observer = _Quiet()
    matching = None
    if book is not None:
        failed = FailedStep("s1", "loud", LOUD, folder, tail, None, list(_ALL))
        matching = asyncio.ensure_future(book.run_finished(folder, "r", "loud", False, [failed]))
    start = time.perf_counter()
    await Execution(Plan("loud", folder.as_uri(), [step]), observer, None).run()
    seconds = time.perf_counter() - start
    if matching is not None:
        await matching
    return seconds, observer.tail


def _diagnosis_cpu_ms(folder: Path, tail: str) -> float:
    """CPU time (not wall time: this machine may be shared) to diagnose one failed run."""
    start = time.process_time()
    find_diagnostics(tail, LOUD, folder, folder, list(BUILTIN.values()))
    return (time.process_time() - start) * 1000


_ALL: list[Any] = [f"${name}" for name in BUILTIN]


def _whole_stream_mb_s() -> float:
    text = LINE + "\n"
    text *= 4 * 1024 * 1024 // len(text)
    matching = Matching(BUILTIN.values())
    start = time.perf_counter()
    for i in range(0, len(text), 64 * 1024):
        matching.feed(text[i : i + 64 * 1024])
    return len(text) / 1024 / 1024 / (time.perf_counter() - start)


async def main() -> None:
    print("failures: problem matchers and the classifier")
    with tempfile.TemporaryDirectory(prefix="intentls-bench-") as tmp:
        folder = Path(tmp)
        (folder / "app.py").write_text("x\n" * 5)
        _, tail = await _stream(folder, None, "")
        off, on, latency = [], [], []
        for _ in range(3):  # interleaved, so both see the same machine
            off.append((await _stream(folder, None, tail))[0])
            on.append((await _stream(folder, DiagnosticsBook(), tail))[0])
            latency.append(_diagnosis_cpu_ms(folder, tail))
    off_mb_s, on_mb_s = MB / median(off), MB / median(on)
    row(f"failed step's output ({MB} MB): matchers off", f"{off_mb_s:.0f} MB/s")
    row(f"  all {len(BUILTIN)} matchers on", f"{on_mb_s:.0f} MB/s", "diagnosing meanwhile")
    row("  on / off", f"{on_mb_s / off_mb_s:.2f}x", "[goal >= 0.9x]")
    row(
        f"diagnostics after a failed run, {len(BUILTIN)} matchers",
        f"{median(latency):.0f} ms CPU",
        f"{len(tail) // 1024} KB tail, in a worker thread after the run",
    )
    row("  all matchers over a whole stream (not done)", f"{_whole_stream_mb_s():.1f} MB/s")
    corpus = captured()
    samples = []
    for case in corpus:
        start = time.perf_counter()
        for _ in range(20):
            classify(case.evidence)
        samples.append((time.perf_counter() - start) / 20 * 1e6)
    row(
        f"classification per failed step ({len(corpus)} real)",
        f"{median(samples):.0f} µs",
        f"slowest {max(samples):.0f} µs",
    )
    print()
