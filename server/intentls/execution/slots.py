"""The server-wide budget of steps running at once (`maxParallel`), shared by every run.
Waiting steps get a slot by priority — the longest chain still ahead of them first, so the
critical path never waits behind work that can wait — and in arrival order among equals."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Slots:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @asynccontextmanager
    async def slot(self, priority: float = 0.0) -> AsyncIterator[None]:
        await self._acquire(priority)
        try:
            yield
        finally:
            self.used -= 1
            self._hand_out()

    async def _acquire(self, priority: float) -> None:
        if self.used < self.limit and not self._waiting:
            self.used += 1
            return
        granted = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (-priority, next(self._arrivals), granted))
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self.used -= 1  # granted and cancelled at once: give the slot back
                self._hand_out()
            granted.cancel()
            raise

    def _hand_out(self) -> None:
        while self.used < self.limit and self._waiting:
            _, _, granted = heapq.heappop(self._waiting)
            if granted.done():
                continue
            self.used += 1
            granted.set_result(None)

    def resize(self, limit: int) -> None:
        self.limit = limit
        self._hand_out()
