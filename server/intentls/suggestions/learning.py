"""What people do with suggestions: shown, taken, dismissed — and the ranking factor it gives.

Each kind of suggestion keeps a tally. Its factor is its smoothed acceptance rate against the
prior: a kind never shown starts at 1 (a new provider is tried), one that is taken rises above
1, one that is dismissed sinks. A suggestion shown and neither taken nor dismissed counts as a
fifth of a dismissal: a person who ignores it may just not have needed anything.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

PRIOR_TAKEN = 3.0
PRIOR_SEEN = 5.0
"""A prior of 3 taken in 5 (the 60 % the issue aims at)."""
IGNORED = 0.2


@attrs.define
class Tally:
    shown: int = 0
    taken: int = 0
    dismissed: int = 0

    @property
    def rate(self) -> float | None:
        """Taken / shown (None: never shown)."""
        return self.taken / self.shown if self.shown else None

    @property
    def factor(self) -> float:
        ignored = max(0, self.shown - self.taken - self.dismissed)
        seen = self.taken + self.dismissed + IGNORED * ignored + PRIOR_SEEN
        return (self.taken + PRIOR_TAKEN) / seen / (PRIOR_TAKEN / PRIOR_SEEN)

    def add(self, other: Tally) -> None:
        self.shown += other.shown
        self.taken += other.taken
        self.dismissed += other.dismissed


@attrs.frozen
class Rate:
    name: str
    shown: int
    taken: int
    dismissed: int
    rate: float | None


@attrs.frozen
class Acceptance:
    """The figures `intentls.stats` reports (see `Learning.acceptance`)."""

    shown: int
    taken: int
    dismissed: int
    rate: float | None
    by_provider: list[Rate]
    by_kind: list[Rate]


EVENTS = ("shown", "taken", "dismissed")


class Learning:
    """Tallies by (provider, kind); kinds belong to one provider each."""

    def __init__(self) -> None:
        self.tallies: dict[tuple[str, str], Tally] = {}

    def record(self, provider: str, kind: str, event: str, count: int = 1) -> None:
        tally = self.tallies.setdefault((provider, kind), Tally())
        setattr(tally, event, getattr(tally, event) + count)

    def load(self, rows: Iterable[tuple[str, str, str, int]]) -> None:
        """(provider, kind, event, count) rows, e.g. from the history at start."""
        for provider, kind, event, count in rows:
            if event in EVENTS:
                self.record(provider, kind, event, count)

    def factor(self, provider: str, kind: str) -> float:
        tally = self.tallies.get((provider, kind))
        return tally.factor if tally is not None else 1.0

    def acceptance(self) -> Acceptance:
        total = Tally()
        providers: dict[str, Tally] = {}
        for (provider, _), tally in self.tallies.items():
            total.add(tally)
            providers.setdefault(provider, Tally()).add(tally)
        kinds = {kind: tally for (_, kind), tally in self.tallies.items()}
        return Acceptance(
            total.shown,
            total.taken,
            total.dismissed,
            total.rate,
            _rates(providers),
            _rates(kinds),
        )


def _rates(tallies: dict[str, Tally]) -> list[Rate]:
    return [
        Rate(name, t.shown, t.taken, t.dismissed, t.rate)
        for name, t in sorted(tallies.items(), key=lambda kv: -kv[1].shown)
    ]
