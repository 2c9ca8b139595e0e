"""After a failure: re-run it, re-run only the part that failed, or the fix that worked before."""

from __future__ import annotations

from collections.abc import Iterator

from intentls.suggestions.core import Candidate, Situation

TRANSIENT = frozenset({"network", "timeout", "resource", "interrupted"})
"""Error categories a plain retry often gets past."""


def provide(situation: Situation) -> Iterator[Candidate]:
    last = situation.last
    if last is None or last.succeeded:
        return
    transient = last.error_category in TRANSIENT
    why = f"it failed ({last.error_category})" if last.error_category else "it failed"
    yield Candidate("retry", last.intent, f"Re-run {last.intent}", why, 0.6 if transient else 0.35)
    parts = [name for name in last.failed_intents if name != last.intent]
    if parts:
        again = " and ".join(parts)
        yield Candidate(
            "retryFailed",
            again,
            f"Re-run only {again}",
            f"the rest of {last.intent} succeeded",
            0.5,
        )
    for fix in last.fixes:
        yield Candidate("fix", fix.intent, f"Run {fix.intent}", fix.reason, fix.confidence)
