"""What providers read and return: plain values, no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from intentls.suggestions.sequence import SequenceModel


@attrs.frozen
class Fix:
    """A fix that worked before for a failure like this one (from the failures domain)."""

    intent: str
    reason: str
    confidence: float


@attrs.frozen
class Finished:
    """A finished run, as suggestions learn from it."""

    intent: str
    """The text as run (`test`, `fmt then test`, `$ pytest -x`)."""
    folder: str
    """The folder's URI."""
    succeeded: bool
    ended_at: float
    file_type: str = ""
    """The extension of the file the run was started from ("" if none)."""
    changed_files: int = 0
    failed_intents: tuple[str, ...] = ()
    """The named intents among the run's failed steps (to re-run only those)."""
    error_category: str | None = None
    """The first failed step's error category, when one was classified."""
    generation: int | None = None
    """The folder's change generation just after the run (None: unknown)."""
    fixes: tuple[Fix, ...] = ()
    """For a failure: what the failures domain proposes (learned from history first)."""


@attrs.frozen
class Candidate:
    """One provider's proposal, before ranking."""

    kind: str
    """What sort of suggestion: learning keeps an acceptance rate per kind."""
    intent: str
    """The intent text to run when the suggestion is taken."""
    title: str
    reason: str
    confidence: float


@attrs.frozen
class Freshness:
    """Whether an intent's last success still holds for the folder's files."""

    ended_at: float
    unchanged: bool
    """True: nothing changed since; False: something did (stale)."""


@attrs.define
class Situation:
    """Everything a provider may look at for one request."""

    folder: str
    now: float
    model: SequenceModel
    recent: Sequence[Finished]
    """The folder's latest finished runs, oldest first."""
    file_type: str = ""
    """The extension of the document the request came from."""
    freshness: Callable[[str], Freshness | None] = lambda intent: None
    """An intent's last success against the folder's files now (None: no success, or the
    folder's changes are not tracked)."""
    known: Mapping[str, int] = attrs.Factory(dict)
    """How often each intent ran here (the warmed and learned history)."""
    saved_since_run: Mapping[str, float] = attrs.Factory(dict)
    """File types saved since the folder's last run → when."""
    after_saving: Mapping[str, Mapping[str, float]] = attrs.Factory(dict)
    """File type saved → the intents run next after saving it, with their counts."""

    @property
    def last(self) -> Finished | None:
        return self.recent[-1] if self.recent else None


Provider = Callable[[Situation], Iterable[Candidate]]


def ago(seconds: float) -> str:
    """'just now', '3 min ago', '2 h ago', '4 d ago'."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} d ago"
