"""The suggestions' front door: fed by finished runs and saves, asked by every face.

Everything a request needs is in memory and updated as runs finish (a finished run costs one
model update); a request never reads the history. At start the models are warmed from the
latest `WARM_RUNS` runs, read and replayed off the event loop.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
import time
import uuid
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable
from functools import partial

import attrs

from intentls.history.store import History
from intentls.model import Command, Suggestion
from intentls.suggestions import store
from intentls.suggestions.core import Candidate, Finished, Freshness, Situation
from intentls.suggestions.learning import Acceptance, Learning
from intentls.suggestions.providers import LIVE, PROVIDERS, freshness
from intentls.suggestions.sequence import SequenceModel, Step

log = logging.getLogger(__name__)

WARM_RUNS = 5000
RECENT = 50
OFFERED = 2000
"""Suggestions remembered (id → what it was) for a later take or dismissal."""
LIMIT = 3
SAVE_SHOWN_S = 1.0


@attrs.frozen
class Offered:
    provider: str
    kind: str
    folder: str
    intent: str


class FolderState:
    """What suggestions know of one folder."""

    def __init__(self) -> None:
        self.model = SequenceModel()
        self.recent: deque[Finished] = deque(maxlen=RECENT)
        self.known: Counter[str] = Counter()
        self.successes: dict[str, Finished] = {}
        self.saved: dict[str, float] = {}
        """File types saved since the last run → when."""
        self.after_saving: dict[str, Counter[str]] = {}
        self.live = 0
        """Runs observed since this process started (replayed over a warm-up)."""
        self.proposed: dict[str, list[tuple[str, Candidate]]] = {}
        """What the providers that read only runs and saves proposed, by file type: kept
        until the next run or save, so a request does not ask them again."""

    def observe(self, run: Finished) -> None:
        self.model.observe(Step(run.intent, run.intent, run.file_type, not run.succeeded))
        self.recent.append(run)
        self.known[run.intent] += 1
        if run.succeeded:
            self.successes[run.intent] = run
        for file_type in self.saved:
            self.after_saving.setdefault(file_type, Counter())[run.intent] += 1
        self.saved.clear()
        self.proposed.clear()


class Suggestions:
    def __init__(self, history: History | None = None, clock: Callable[[], float] = time.time):
        self.history = history
        self.clock = clock
        self.enabled: Callable[[str], bool] = lambda folder: True
        """Whether a folder's settings allow suggestions (`suggestions.enabled`)."""
        self.generation: Callable[[str], int | None] = lambda folder: None
        """A folder's file-change generation (the undo watcher's), by folder URI."""
        self.learning = Learning()
        self._folders: dict[str, FolderState] = {}
        self._offered: OrderedDict[str, Offered] = OrderedDict()
        self._session = uuid.uuid4().hex[:8]
        self._ids = itertools.count(1)
        self._unsaved: list[store.Event] = []

    def folder(self, uri: str) -> FolderState:
        state = self._folders.get(uri)
        if state is None:
            state = self._folders[uri] = FolderState()
        return state

    # ---- learning from runs and saves ------------------------------------------------------

    def run_finished(self, run: Finished) -> None:
        state = self.folder(run.folder)
        state.observe(run)
        state.live += 1

    def saved(self, folder: str, file_type: str) -> None:
        if file_type:
            state = self.folder(folder)
            state.saved[file_type] = self.clock()
            state.proposed.clear()

    async def warm(self) -> None:
        """Learn from the latest runs of the history, off the event loop; runs that finish
        meanwhile are replayed on top, in order. The models it built are then frozen out of
        the cyclic collector's reach (a collection walking them would hold up the loop)."""
        if self.history is None:
            return
        runs = await self.history.read_with(partial(store.recent_runs, limit=WARM_RUNS))
        rows = await self.history.read_with(store.tallies)
        warmed = await asyncio.to_thread(_replay, runs)
        for uri, state in warmed.items():
            live = self._folders.get(uri)
            if live is not None:
                for run in list(live.recent)[len(live.recent) - live.live :]:
                    state.observe(run)
                state.saved = live.saved
                state.live = live.live
            self._folders[uri] = state
        self.learning.load(rows)
        gc.freeze()  # the models live as long as the server: no full collection walks them

    # ---- asking ----------------------------------------------------------------------------

    def situation(self, folder: str, file_type: str = "") -> Situation:
        state = self.folder(folder)
        now = self.clock()
        return Situation(
            folder=folder,
            now=now,
            model=state.model,
            recent=list(state.recent),
            file_type=file_type,
            freshness=partial(self._freshness, state, self.generation(folder)),
            known=state.known,
            saved_since_run=state.saved,
            after_saving=state.after_saving,
        )

    def suggest(
        self, folder: str, file_type: str = "", limit: int = LIMIT, record: bool = True
    ) -> list[Suggestion]:
        """The best `limit` suggestions for the folder now, best first, recorded as shown
        (unless `record` is False: a terminal's list, whose ids nothing can take)."""
        if not self.enabled(folder):
            return []
        situation = self.situation(folder, file_type)
        state = self.folder(folder)
        settled = state.proposed.get(file_type)
        if settled is None:
            settled = state.proposed[file_type] = list(self._candidates(situation, live=False))
        ranked: dict[str, tuple[float, str, Candidate]] = {}
        for provider, candidate in [*settled, *self._candidates(situation, live=True)]:
            candidate = freshness.annotate(situation, candidate)
            score = candidate.confidence * self.learning.factor(provider, candidate.kind)
            best = ranked.get(candidate.intent)
            if best is None or score > best[0]:
                ranked[candidate.intent] = (score, provider, candidate)
        chosen = sorted(ranked.values(), key=lambda r: -r[0])[:limit]
        return [self._offer(folder, provider, c, record) for _, provider, c in chosen]

    def note(self, folder: str, intent: str) -> str | None:
        """ "nothing changed since ✓ 3 min ago", "stale: …", or None (unknown, turned off)."""
        if not self.enabled(folder):
            return None
        return freshness.note(self.situation(folder), intent)

    def freshness(self, folder: str, intent: str) -> Freshness | None:
        """An intent's last success against the folder's files now (for a lens's title)."""
        if not self.enabled(folder):
            return None
        return self._freshness(self.folder(folder), self.generation(folder), intent)

    def _candidates(
        self, situation: Situation, live: bool | None = None
    ) -> Iterable[tuple[str, Candidate]]:
        """What the providers propose (`live`: only those asked on every request, or only the
        others; None: all)."""
        for name, provide in PROVIDERS.items():
            if live is not None and (name in LIVE) != live:
                continue
            try:
                found = list(provide(situation))
            except Exception:
                log.exception("suggestion provider %s failed; skipped", name)
                continue
            for candidate in found:
                yield name, candidate

    def _freshness(self, state: FolderState, now: int | None, intent: str) -> Freshness | None:
        success = state.successes.get(intent)
        if success is None or success.generation is None or now is None:
            return None
        return Freshness(success.ended_at, success.generation == now)

    def _offer(self, folder: str, provider: str, candidate: Candidate, record: bool) -> Suggestion:
        suggestion_id = f"{self._session}-{next(self._ids)}"
        arguments = {"intent": candidate.intent, "cwd": folder}
        if record:
            self._offered[suggestion_id] = Offered(
                provider, candidate.kind, folder, candidate.intent
            )
            while len(self._offered) > OFFERED:
                self._offered.popitem(last=False)
            self._event(suggestion_id, "shown")
            arguments["suggestionId"] = suggestion_id
        return Suggestion(
            id=suggestion_id,
            title=candidate.title,
            reason=candidate.reason,
            confidence=round(min(1.0, max(0.0, candidate.confidence)), 3),
            command=Command(candidate.title, "intentls.run", [arguments]),
        )

    # ---- what people did with them ---------------------------------------------------------

    def taken(self, suggestion_id: str) -> bool:
        """A command carrying this id was executed; False if the id is unknown."""
        return self._event(suggestion_id, "taken")

    def feedback(self, suggestion_id: str, accepted: bool) -> bool:
        return self._event(suggestion_id, "taken" if accepted else "dismissed")

    def acceptance(self) -> Acceptance:
        """Acceptance overall, per provider and per kind (for `intentls.stats`)."""
        return self.learning.acceptance()

    def _event(self, suggestion_id: str, event: str) -> bool:
        offered = self._offered.get(suggestion_id)
        if offered is None:
            return False
        self.learning.record(offered.provider, offered.kind, event)
        if self.history is not None:
            # Shown: saved a second later in one batch, off the requests' path; taken or
            # dismissed: right after this answer goes out.
            if event != "shown":
                asyncio.get_running_loop().call_soon(self._save)
            elif not self._unsaved:
                asyncio.get_running_loop().call_later(SAVE_SHOWN_S, self._save)
            self._unsaved.append(
                (
                    suggestion_id,
                    offered.provider,
                    offered.kind,
                    offered.folder,
                    offered.intent,
                    event,
                    self.clock(),
                )
            )
        return True

    def _save(self) -> asyncio.Future[None] | None:
        rows, self._unsaved = self._unsaved, []
        if self.history is None or not rows:
            return None
        return self.history.write_with(partial(store.record, events=rows))

    def close(self) -> None:
        """Before the history closes: what is pending is written now, and nothing later (a
        batch of shown suggestions was due a second later, to a history closed by then)."""
        rows, self._unsaved = self._unsaved, []
        if self.history is not None and rows:
            self.history.write_now(partial(store.record, events=rows))
        self.history = None

    async def save(self) -> None:
        """Write what is pending now and wait for it (a dismissal is kept before it is
        answered)."""
        written = self._save()
        if written is not None:
            await written


def _replay(runs: list[Finished]) -> dict[str, FolderState]:
    states: dict[str, FolderState] = {}
    for run in runs:
        states.setdefault(run.folder, FolderState()).observe(run)
    return states
