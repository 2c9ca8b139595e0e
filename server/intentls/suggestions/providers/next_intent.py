"""What people here run after what just ran: the sequence model's top predictions."""

from __future__ import annotations

from collections.abc import Iterator

from intentls.suggestions.core import Candidate, Situation

MIN_PROBABILITY = 0.05


def provide(situation: Situation) -> Iterator[Candidate]:
    for p in situation.model.predict(situation.file_type, 3):
        if p.probability < MIN_PROBABILITY:
            continue
        reason = "often run here"
        if p.after and p.seen:
            reason = f"usually next {p.after} ({p.seen} times)"
        yield Candidate("next", p.intent, f"Run {p.intent}", reason, p.probability)
