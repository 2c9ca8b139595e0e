"""The literal text a line must contain for a regular expression to match it, found from the
expression's parse tree, so most lines are passed over with a substring test instead of a
regex search (matching then costs little even on long outputs)."""

from __future__ import annotations

import importlib
import re
from typing import Any

parser: Any = importlib.import_module("re._parser")
"""The parser the `re` module itself uses (Python 3.11+)."""
_C = parser  # constants (LITERAL, SUBPATTERN, …) live beside the parser
MIN_LENGTH = 1
"""Even one character rules out most lines when it is a rare one (`(`, `>`)."""


def needles(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Strings of which every match contains at least one; () when none is known."""
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        found = _sequence(list(parser.parse(pattern.pattern).data))
    except Exception:  # an unusual construct: no prefilter, the regex decides alone
        return ()
    return found if found and min(map(len, found)) >= MIN_LENGTH else ()


def _sequence(items: list[tuple[Any, Any]]) -> tuple[str, ...]:
    """The best of a sequence's candidates: its longest literal run, or a group's or a
    branch's any-of set whose shortest member is longer."""
    best: tuple[str, ...] = ()
    run = ""
    for op, arg in [*items, (None, None)]:
        if op is _C.LITERAL:
            run += chr(arg)
            continue
        best = _better(best, (run,) if run else ())
        run = ""
        if op is _C.SUBPATTERN and not arg[1] & re.IGNORECASE:
            best = _better(best, _sequence(list(arg[-1])))
        elif op is _C.BRANCH:
            alternatives = [_sequence(list(alt)) for alt in arg[1]]
            if all(alternatives):
                best = _better(best, tuple(n for alt in alternatives for n in alt))
        elif op in (_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", None)):
            low, _, body = arg
            if low >= 1:
                best = _better(best, _sequence(list(body)))
    return best


def _better(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if not b:
        return a
    if not a:
        return b
    return b if min(map(len, b)) > min(map(len, a)) else a
