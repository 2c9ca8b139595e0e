"""The intent that usually follows saving files of this kind here (`*.py` → `test`)."""

from __future__ import annotations

from collections.abc import Iterator

from intentls.suggestions.core import Candidate, Situation


def provide(situation: Situation) -> Iterator[Candidate]:
    saved = situation.saved_since_run
    if not saved:
        return
    file_type = max(saved, key=lambda ext: saved[ext])  # the latest save
    after = situation.after_saving.get(file_type)
    if not after:
        return
    total = sum(after.values())
    intent = max(after, key=lambda name: after[name])
    count = after[intent]
    confidence = count / total * count / (count + 1)
    reason = f"usually run after saving *{file_type} files here ({round(count)} times)"
    yield Candidate("afterEdit", intent, f"Run {intent}", reason, confidence)
