"""Small helpers to time things and print them the same way."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable


async def timed(fn: Callable[[], Awaitable[object]], repeat: int, warmup: int = 5) -> list[float]:
    """Milliseconds per call of `fn`, after `warmup` untimed calls."""
    for _ in range(warmup):
        await fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def row(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<46} {value:>14}  {note}")
