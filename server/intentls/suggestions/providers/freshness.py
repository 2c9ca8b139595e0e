"""Nothing changed / stale: an intent's last success against the folder's files now.

`provide` proposes the intents whose files changed since their last success (`build` is
stale); `annotate` tells, on any candidate, that nothing changed since it last succeeded — it is
then likely pointless, and sinks."""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from intentls.suggestions.core import Candidate, Situation, ago

UNCHANGED_DISCOUNT = 0.3
MIN_RUNS = 2
"""An intent is called stale only when it is run here habitually."""


def provide(situation: Situation) -> Iterator[Candidate]:
    last = situation.last
    habitual = sorted(situation.known.items(), key=lambda kv: -kv[1])[:5]
    total = sum(situation.known.values()) or 1
    for intent, runs in habitual:
        if runs < MIN_RUNS or (last is not None and last.intent == intent):
            continue
        fresh = situation.freshness(intent)
        if fresh is None or fresh.unchanged:
            continue
        since = ago(situation.now - fresh.ended_at)
        reason = f"stale: files changed since ✓ {since}"
        yield Candidate("stale", intent, f"Run {intent}", reason, 0.5 * runs / total)


def note(situation: Situation, intent: str) -> str | None:
    """ "nothing changed since ✓ 3 min ago", "stale: …", or None (no success, untracked)."""
    fresh = situation.freshness(intent)
    if fresh is None:
        return None
    since = ago(situation.now - fresh.ended_at)
    if fresh.unchanged:
        return f"nothing changed since ✓ {since}"
    return f"stale: files changed since ✓ {since}"


def annotate(situation: Situation, candidate: Candidate) -> Candidate:
    fresh = situation.freshness(candidate.intent)
    if fresh is None or not fresh.unchanged:
        return candidate
    reason = f"nothing changed since ✓ {ago(situation.now - fresh.ended_at)}; {candidate.reason}"
    return attrs.evolve(
        candidate, reason=reason, confidence=candidate.confidence * UNCHANGED_DISCOUNT
    )
