"""Flaky: the same intent failed and then succeeded with nothing changed between — no file a
run changed, no file edited between runs (the undo snapshots saw none), the same environment."""

from __future__ import annotations

import itertools

from intentls.history.outcomes import PastRun

WINDOW = 20
"""An intent's last runs looked at for a flip."""


def changed_between(
    runs: list[PastRun], first: PastRun, last: PastRun, *, own: bool = True
) -> list[str]:
    """Paths changed after `first` started and before `last` started: files the runs in
    between changed (with `first`'s own changes when `own`), and files edited between runs
    (as `last`'s snapshot saw them too). `runs`: the folder's runs, oldest first."""
    paths: set[str] = set(last.edited_before)
    for run in runs:
        if first.started_at < run.started_at < last.started_at:
            paths.update(run.changed_files, run.edited_before)
    if own:
        paths.update(first.changed_files)
    return sorted(paths)


def env_changed(first: PastRun, last: PastRun) -> bool:
    return first.env is not None and last.env is not None and first.env != last.env


def quiet_flip(runs: list[PastRun], failed: PastRun, passed: PastRun) -> bool:
    """`failed` then `passed`, with nothing changed between them."""
    return (
        failed.failed
        and passed.status == "succeeded"
        and not changed_between(runs, failed, passed)
        and not env_changed(failed, passed)
    )


def flips(runs: list[PastRun], intent: str) -> list[tuple[PastRun, PastRun]]:
    """The intent's quiet flips among its last runs: each a failure and the success after it."""
    mine = [r for r in runs if r.intent == intent and r.status in ("succeeded", "failed")]
    mine = mine[-WINDOW:]
    return [(a, b) for a, b in itertools.pairwise(mine) if quiet_flip(runs, a, b)]


def verdict(runs: list[PastRun], run_id: str) -> str | None:
    """What to tell about a run just finished (`runs`: the folder's, oldest first, it among
    them): it passed right after a failure with nothing changed, or it failed and its intent
    has done so before."""
    index = next((i for i, r in enumerate(runs) if r.run_id == run_id), None)
    if index is None:
        return None
    run = runs[index]
    before = [
        r for r in runs[:index] if r.intent == run.intent and r.status in ("succeeded", "failed")
    ]
    if run.status == "succeeded" and before and quiet_flip(runs, before[-1], run):
        return (
            f"«{run.intent}» failed last time and passed now with nothing changed between: "
            "it is flaky"
        )
    if run.failed:
        seen = flips(runs[:index], run.intent)
        if seen:
            return (
                f"«{run.intent}» is flaky: it failed and then passed with nothing changed "
                f"{len(seen)} time(s) lately; running it again may pass"
            )
    return None
