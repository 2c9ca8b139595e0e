"""`python -m tests.bench`: every benchmark, one after another."""

from __future__ import annotations

import asyncio

from tests.bench import (
    analytics,
    catalog,
    cli_start,
    failures,
    history_writes,
    loop_stalls,
    parallel,
    realrepo,
    run_roundtrip,
    suggestions,
    terminal_link,
    terminal_walk,
    undo,
)


def main() -> None:
    print("intentls benchmarks (goals from the issues in brackets)\n")
    asyncio.run(cli_start.main())
    asyncio.run(run_roundtrip.main())
    asyncio.run(history_writes.main())
    asyncio.run(loop_stalls.main())
    asyncio.run(catalog.main())
    asyncio.run(parallel.main())
    asyncio.run(undo.main())
    asyncio.run(realrepo.main())
    asyncio.run(terminal_link.main())
    asyncio.run(terminal_walk.main())
    asyncio.run(analytics.main())
    asyncio.run(suggestions.main())
    asyncio.run(failures.main())


main()
