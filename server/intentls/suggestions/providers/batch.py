"""Runs that could be one: the same intent on single files in a row → one run over a glob;
two intents always run one after the other, the first changing nothing → `A and B`."""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Iterator, Sequence

from intentls.suggestions.core import Candidate, Finished, Situation

IN_A_ROW = 3
TOGETHER = 4
"""How often B must have followed A (A changing no files) for `A and B`."""


def provide(situation: Situation) -> Iterator[Candidate]:
    globbed = _glob(situation.recent[-IN_A_ROW:])
    if globbed is not None:
        yield Candidate(
            "glob",
            globbed,
            f"Run {globbed}",
            f"you ran it on {IN_A_ROW} single files in a row",
            0.4,
        )
    pair = _habitual_pair(situation.recent)
    if pair is not None:
        first, then = pair
        together = f"{first} and {then}"
        yield Candidate(
            "together",
            together,
            f"Run {together}",
            f"{then} always follows {first}, which changes no files: they can run at once",
            0.3,
        )


def _glob(runs: Sequence[Finished]) -> str | None:
    """`$ pytest t/a.py`, `$ pytest t/b.py`, `$ pytest t/c.py` → `$ pytest t/*.py`."""
    if len(runs) < IN_A_ROW:
        return None
    texts = [r.intent.split() for r in runs]
    if len({len(t) for t in texts}) != 1:
        return None
    differing = [i for i in range(len(texts[0])) if len({t[i] for t in texts}) > 1]
    if len(differing) != 1 or differing[0] == 0:
        return None
    i = differing[0]
    words = [t[i] for t in texts]
    if len(set(words)) != len(words):
        return None
    shapes = {(posixpath.dirname(w), posixpath.splitext(w)[1]) for w in words}
    if len(shapes) != 1:
        return None
    directory, ext = shapes.pop()
    if not ext:
        return None
    glob = posixpath.join(directory, "*" + ext)
    return " ".join([*texts[0][:i], glob, *texts[0][i + 1 :]])


def _habitual_pair(runs: Sequence[Finished]) -> tuple[str, str] | None:
    follows: dict[tuple[str, str], int] = {}
    starts: dict[str, int] = {}
    for before, after in itertools.pairwise(runs):
        if before.changed_files or before.intent == after.intent:
            continue
        if " and " in before.intent or " then " in before.intent:
            continue
        starts[before.intent] = starts.get(before.intent, 0) + 1
        key = (before.intent, after.intent)
        follows[key] = follows.get(key, 0) + 1
    best = max(follows.items(), key=lambda kv: kv[1], default=None)
    if best is None:
        return None
    (first, then), count = best
    if count < TOGETHER or count < 0.8 * starts[first]:
        return None
    return first, then
