"""A generated history for the rollup tests and `make bench`: runs and steps written straight into
the history file in one transaction (a million in seconds, not a million runs of the engine)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import apsw

from intentls.history.periods import DAY_S

STATUSES = ("succeeded", "failed", "cancelled", "interrupted")
WEIGHTS = (85, 10, 3, 2)
CATEGORIES = ("testFailure", "compileError", "lint", "network", "timeout")


def folders(n: int) -> list[str]:
    return [f"file:///ws/project{i}" for i in range(n)]


def generate(
    conn: apsw.Connection,
    runs: int,
    now: float,
    days: int = 180,
    n_folders: int = 8,
    n_intents: int = 25,
    seed: int = 1,
) -> None:
    """`runs` finished runs started over the last `days` days, in `n_folders` folders of
    `n_intents` intents each; each intent has its own typical duration and one to three steps."""
    rng = random.Random(seed)
    intents = [
        (folder, f"intent{j}", rng.uniform(50, 60_000), rng.randint(1, 3))
        for folder in folders(n_folders)
        for j in range(n_intents)
    ]
    with conn:
        conn.executemany(
            "INSERT INTO runs(id, intent, folder, cwd, status, started_at, ended_at, duration_ms, "
            "owner, undoable, undone) VALUES (?, ?, ?, '/ws', ?, ?, ?, ?, 'gen', ?, ?)",
            _runs(rng, runs, intents, now, days),
        )
        conn.executemany(
            "INSERT INTO steps(run_id, step_id, position, title, tool, args, status, "
            "duration_ms, attempts, error_category, error_message) "
            "VALUES (?, ?, ?, ?, 'shell', '{}', ?, ?, ?, ?, ?)",
            _steps(rng, runs, intents),
        )


def _pick(n: int, intents: list[tuple[str, str, float, int]]) -> int:
    """Run `n`'s intent, the same in both passes."""
    return (n * 7919) % len(intents)


def _runs(
    rng: random.Random,
    runs: int,
    intents: list[tuple[str, str, float, int]],
    now: float,
    days: int,
) -> Iterator[tuple[object, ...]]:
    for n in range(runs):
        folder, intent, typical, _ = intents[_pick(n, intents)]
        status = rng.choices(STATUSES, WEIGHTS)[0]
        started = now - rng.random() * days * DAY_S
        duration = int(rng.lognormvariate(0, 0.5) * typical)
        undoable = rng.random() < 0.3
        yield (
            f"r{n}",
            intent,
            folder,
            status,
            started,
            started + duration / 1000,
            duration,
            int(undoable),
            int(undoable and rng.random() < 0.1),
        )


def _steps(
    rng: random.Random, runs: int, intents: list[tuple[str, str, float, int]]
) -> Iterator[tuple[object, ...]]:
    for n in range(runs):
        _, _, typical, count = intents[_pick(n, intents)]
        for position in range(count):
            failed = rng.random() < 0.05
            category = rng.choice(CATEGORIES) if failed else None
            yield (
                f"r{n}",
                f"s{position}",
                position,
                f"step {position}",
                "failed" if failed else "succeeded",
                int(rng.lognormvariate(0, 0.5) * typical / count),
                1 if rng.random() < 0.95 else 2,
                category,
                f"{category} in step {position}" if category else None,
            )
