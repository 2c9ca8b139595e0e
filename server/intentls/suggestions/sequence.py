"""The next-intent model: what a person runs after what they just ran, learned online.

Successor counts are kept for several contexts — the last intent, the last two, the last three,
the last full text, the last intent with the file type being edited, the last intent with
whether it failed — each count decaying as newer successors arrive (recency). A candidate's
score is a weighted sum of features drawn from those counts and from how recently it ran; the
weights start from values tuned offline on real command sequences (docs/suggestions.md) and
keep adapting to this person by one step of online softmax regression per finished run.

Every update costs a few dictionary operations per context; a prediction is cached until the
next update, so asking is a lookup.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable

import attrs

DECAY = 0.95
"""Each count of a context shrinks by this factor when that context sees another successor."""
LEARNING_RATE = 0.02
RECENT = 30
"""How many past intents the recency features look at."""
RECENT_DISTINCT = 10

DEFAULT_WEIGHTS: dict[str, float] = {
    # Learned by `make replay ARGS=--tune` (from zero, averaged) on the tuning users only:
    # Schonlau users 01-10, Greenberg novice-2 and scientist-20 (docs/suggestions.md).
    "o1": 0.92,
    "o1_top": -0.21,
    "o1_last": 0.0,
    "o2": 1.65,
    "o2_top": 0.16,
    "o2_last": 0.35,
    "o3": 1.82,
    "o3_top": 0.36,
    "o3_last": 0.49,
    "line": 0.93,
    "line_top": -0.1,
    "line_last": 0.06,
    "ext": 0.93,
    "ext_top": -0.19,
    "ext_last": 0.01,
    "err": 0.95,
    "err_top": -0.17,
    "err_last": 0.03,
    "freq": 0.19,
    "rec": 0.33,
    "rec1": -0.02,
    "rec3": 0.44,
    "retry": 0.03,
}


@attrs.frozen
class Step:
    """One finished run as the model sees it."""

    intent: str
    """What is predicted: the intent's name (or a command's first word)."""
    text: str = ""
    """The full text as run (arguments included); defaults to `intent`."""
    file_type: str = ""
    """The extension of the file being edited when it ran ("" if none)."""
    failed: bool = False


@attrs.frozen
class Prediction:
    intent: str
    probability: float
    """The model's softmax probability among its candidates."""
    after: str
    """The context that supports it most, said plainly (e.g. "after fmt")."""
    seen: int
    """How often it followed that context (rounded decayed count)."""


Features = dict[str, float]


class SequenceModel:
    """The model of one folder (one person's sequence, in the replay)."""

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
        self._counts: dict[tuple[str, ...], dict[str, float]] = {}
        self._last: dict[tuple[str, ...], str] = {}
        self._freq: dict[str, int] = {}
        self._total = 0
        self._recent: deque[Step] = deque(maxlen=RECENT)
        self._cache: dict[str, list[Prediction]] = {}

    @property
    def last(self) -> Step | None:
        return self._recent[-1] if self._recent else None

    def _contexts(self, file_type: str) -> list[tuple[str, ...]]:
        recent = self._recent
        if not recent:
            return [("start",)]
        last = recent[-1]
        contexts: list[tuple[str, ...]] = [("o1", last.intent), ("line", last.text or last.intent)]
        if len(recent) >= 2:
            contexts.append(("o2", recent[-2].intent, last.intent))
        if len(recent) >= 3:
            contexts.append(("o3", recent[-3].intent, recent[-2].intent, last.intent))
        contexts.append(("ext", last.intent, file_type))
        contexts.append(("err", last.intent, "failed" if last.failed else "ok"))
        return contexts

    def _candidates(self, file_type: str) -> dict[str, Features]:
        found: dict[str, Features] = {}
        for context in self._contexts(file_type):
            counts = self._counts.get(context)
            if not counts:
                continue
            name = context[0]
            total = sum(counts.values())
            confidence = total / (total + 1.0)
            top = max(counts.values())
            for intent, count in counts.items():
                features = found.setdefault(intent, {})
                features[name] = confidence * count / total
                if count == top:
                    features[name + "_top"] = 1.0
            found.setdefault(self._last[context], {})[name + "_last"] = 1.0
        if self._total:
            for intent, count in sorted(self._freq.items(), key=lambda kv: -kv[1])[:10]:
                found.setdefault(intent, {})["freq"] = count / self._total
        rank = 0
        seen: set[str] = set()
        for step in reversed(self._recent):
            if step.intent in seen:
                continue
            seen.add(step.intent)
            rank += 1
            features = found.setdefault(step.intent, {})
            features["rec"] = 1.0 / rank
            if rank == 1:
                features["rec1"] = 1.0
            if rank <= 3:
                features["rec3"] = 1.0
            if rank >= RECENT_DISTINCT:
                break
        last = self.last
        if last is not None and last.failed:
            found.setdefault(last.intent, {})["retry"] = 1.0
        return found

    def _score(self, features: Features) -> float:
        weights = self.weights
        return sum(weights.get(name, 0.0) * value for name, value in features.items())

    def predict(self, file_type: str = "", k: int = 3) -> list[Prediction]:
        """The `k` likeliest next intents, best first (cached until the next `observe`)."""
        cached = self._cache.get(file_type)
        if cached is None:
            cached = self._cache[file_type] = self._rank(file_type)
        return cached[:k]

    def _rank(self, file_type: str) -> list[Prediction]:
        candidates = self._candidates(file_type)
        if not candidates:
            return []
        scores = {intent: self._score(f) for intent, f in candidates.items()}
        probabilities = _softmax(scores)
        ranked = sorted(scores, key=lambda intent: -scores[intent])[:5]
        return [self._explain(intent, probabilities[intent], file_type) for intent in ranked]

    def _explain(self, intent: str, probability: float, file_type: str) -> Prediction:
        best: tuple[float, str, int] = (0.0, "", 0)
        for context in self._contexts(file_type):
            count = self._counts.get(context, {}).get(intent, 0.0)
            share = count / max(1.0, sum(self._counts.get(context, {}).values()))
            if count and share > best[0]:
                best = (share, _describe(context), round(count))
        return Prediction(intent, probability, best[1], best[2])

    def observe(self, step: Step) -> None:
        """Learn from one finished run: adjust the weights toward what it predicted for this
        step, then count the step as the successor of each of its contexts."""
        self._learn(step)
        for context in self._contexts(step.file_type):
            counts = self._counts.setdefault(context, {})
            for intent in counts:
                counts[intent] *= DECAY
            counts[step.intent] = counts.get(step.intent, 0.0) + 1.0
            self._last[context] = step.intent
        self._freq[step.intent] = self._freq.get(step.intent, 0) + 1
        self._total += 1
        self._recent.append(step)
        self._cache.clear()

    def observe_all(self, steps: Iterable[Step]) -> None:
        for step in steps:
            self.observe(step)

    def _learn(self, step: Step) -> None:
        candidates = self._candidates(step.file_type)
        taken = candidates.get(step.intent)
        if taken is None:
            return
        probabilities = _softmax({i: self._score(f) for i, f in candidates.items()})
        gradient: dict[str, float] = dict(taken)
        for intent, features in candidates.items():
            p = probabilities[intent]
            for name, value in features.items():
                gradient[name] = gradient.get(name, 0.0) - p * value
        for name, g in gradient.items():
            self.weights[name] = self.weights.get(name, 0.0) + LEARNING_RATE * g


def _softmax(scores: dict[str, float]) -> dict[str, float]:
    top = max(scores.values())
    exps = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def _describe(context: tuple[str, ...]) -> str:
    kind = context[0]
    if kind in ("o1", "line"):
        return f"after {context[1]}"
    if kind in ("o2", "o3"):
        return "after " + " → ".join(context[1:])
    if kind == "ext":
        return f"after {context[1]} while editing *{context[2]}" if context[2] else ""
    if kind == "err":
        return f"after {context[1]} {context[2]}" if context[2] == "failed" else ""
    return ""
