"""Named resources (`resources = ["db"]` in intents.toml): steps that name the same resource
never run at once, across every run of the server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager


class Resources:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def hold(self, names: Iterable[str]) -> AsyncIterator[None]:
        """Take every named lock, always in sorted order so two steps cannot deadlock."""
        async with AsyncExitStack() as stack:
            for name in sorted(set(names)):
                await stack.enter_async_context(self._locks.setdefault(name, asyncio.Lock()))
            yield

    def held(self) -> list[str]:
        return sorted(name for name, lock in self._locks.items() if lock.locked())
