"""A check run before what changes the files it checks (`lint` then `format` → `format`
first): the check then has to run again."""

from __future__ import annotations

from collections.abc import Iterator

from intentls.suggestions.core import Candidate, Situation

SEEN = 2


def provide(situation: Situation) -> Iterator[Candidate]:
    runs = situation.recent
    seen: dict[tuple[str, str], int] = {}
    for check, change, again in zip(runs, runs[1:], runs[2:], strict=False):
        if (
            check.intent == again.intent != change.intent
            and not check.changed_files
            and change.changed_files
        ):
            key = (check.intent, change.intent)
            seen[key] = seen.get(key, 0) + 1
    for (checker, changer), count in seen.items():
        if count >= SEEN:
            text = f"{changer} then {checker}"
            yield Candidate(
                "ordering",
                text,
                f"Run {text}",
                f"{changer} changes files that {checker} then checks again: run it first",
                0.3,
            )
