"""VS Code's problem-matcher schema (tasks.json `problemMatcher`), parsed into typed objects.

Accepted as VS Code accepts it: a name (`"$tsc"`), an inline object, or an array of both; an
object may extend a named one with `base`, take a named pattern, one pattern or several (the last
may `loop`), and `background` begin/end patterns for watch tasks. Bad definitions raise
`MatcherError` naming what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

_GROUPS = ("file", "location", "line", "column", "end_line", "end_column", "severity", "code")
_KEYS = {"endLine": "end_line", "endColumn": "end_column", "character": "column"}
_LOCATIONS = {"absolute", "relative", "autodetect", "search"}


class MatcherError(ValueError):
    """A problem matcher definition that cannot be used; the message says why."""


@attrs.frozen
class Pattern:
    regexp: re.Pattern[str]
    kind: str = "location"
    """`file`: the problem is about the whole file; `location`: a place in it."""
    file: int | None = None
    location: int | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    severity: int | None = None
    code: int | None = None
    message: int | None = None
    loop: bool = False


@attrs.frozen
class FileLocation:
    kind: str = "relative"
    """absolute | relative | autodetect | search"""
    base: str | None = None
    """The folder relative paths start from (`${workspaceFolder}` when absent)."""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@attrs.frozen
class Background:
    begins: re.Pattern[str]
    ends: re.Pattern[str]
    active_on_start: bool = False


@attrs.frozen
class Matcher:
    name: str
    owner: str
    patterns: tuple[Pattern, ...]
    source: str | None = None
    severity: str | None = None
    file_location: FileLocation = FileLocation()
    background: Background | None = None


Named = Callable[[str], "Matcher | None"]
"""Looks up a named matcher (`$tsc` or `tsc`); None when there is none."""


def parse_matchers(
    value: Any, named: Named, patterns: Mapping[str, tuple[Pattern, ...]]
) -> list[Matcher]:
    """tasks.json's `problemMatcher` value (or intents.toml's `matchers`) as matchers."""
    items = value if isinstance(value, list) else [value]
    return [_one(item, named, patterns) for item in items]


def _one(item: Any, named: Named, patterns: Mapping[str, tuple[Pattern, ...]]) -> Matcher:
    if isinstance(item, str):
        found = named(item)
        if found is None:
            raise MatcherError(f"unknown problem matcher {item!r}")
        return found
    if not isinstance(item, dict):
        raise MatcherError(f"a problem matcher is a name or an object, not {item!r}")
    base: Matcher | None = None
    if "base" in item:
        base = _one(item["base"], named, patterns)
    owner = item.get("owner", base.owner if base else "intentls")
    if "pattern" in item:
        found_patterns = _patterns(item["pattern"], patterns)
    elif base is not None:
        found_patterns = base.patterns
    else:
        raise MatcherError("a problem matcher needs a pattern")
    return Matcher(
        name=str(item.get("name", owner)),
        owner=str(owner),
        patterns=found_patterns,
        source=item.get("source", base.source if base else None),
        severity=item.get("severity", base.severity if base else None),
        file_location=(
            _file_location(item["fileLocation"])
            if "fileLocation" in item
            else (base.file_location if base else FileLocation())
        ),
        background=(
            _background(item.get("background", item.get("watching")))
            if "background" in item or "watching" in item
            else (base.background if base else None)
        ),
    )


def parse_patterns(value: Any) -> tuple[Pattern, ...]:
    """One pattern (VS Code's defaults filled in) or several (each says its own groups)."""
    if isinstance(value, dict):
        return (_pattern(value, single=True),)
    if isinstance(value, list) and value and all(isinstance(p, dict) for p in value):
        found = tuple(_pattern(p, single=len(value) == 1) for p in value)
        if any(p.loop for p in found[:-1]):
            raise MatcherError("only the last pattern of several may loop")
        if all(p.message is None for p in found):
            raise MatcherError("one of the patterns must say which group is the message")
        return found
    raise MatcherError(f"a pattern is an object or a list of objects, not {value!r}")


def _patterns(value: Any, named: Mapping[str, tuple[Pattern, ...]]) -> tuple[Pattern, ...]:
    if isinstance(value, str):
        found = named.get(value.removeprefix("$"))
        if found is None:
            raise MatcherError(f"unknown problem pattern {value!r}")
        return found
    return parse_patterns(value)


def _pattern(value: dict[str, Any], single: bool) -> Pattern:
    if not isinstance(value.get("regexp"), str):
        raise MatcherError("a pattern needs a regexp string")
    fields: dict[str, Any] = {"regexp": _regexp(value["regexp"])}
    for key, group in value.items():
        name = _KEYS.get(key, key)
        if name in (*_GROUPS, "message"):
            if not isinstance(group, int) or isinstance(group, bool) or group < 0:
                raise MatcherError(f"{key} must be a match group number, not {group!r}")
            fields[name] = group
    if value.get("kind") in ("file", "location"):
        fields["kind"] = value["kind"]
    fields["loop"] = value.get("loop") is True
    if single:  # VS Code's defaults for a lone pattern
        fields.setdefault("file", 1)
        if fields.get("kind") != "file" and "location" not in fields:
            fields.setdefault("line", 2)
            fields.setdefault("column", 3)
        fields.setdefault("message", 4 if "location" in fields else 5)
    return Pattern(**fields)


def _regexp(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise MatcherError(f"bad regexp {text!r}: {exc}") from None


def _file_location(value: Any) -> FileLocation:
    kind, rest = (value, []) if isinstance(value, str) else (value[:1] or [""], value[1:])
    if isinstance(kind, list):
        kind = kind[0]
    kind = str(kind).lower()
    if kind not in _LOCATIONS:
        raise MatcherError(f"fileLocation must be one of {sorted(_LOCATIONS)}, not {value!r}")
    arg = rest[0] if rest else None
    if kind == "search":
        options = arg if isinstance(arg, dict) else {}
        return FileLocation(
            kind,
            include=tuple(options.get("include", [])),
            exclude=tuple(options.get("exclude", [])),
        )
    return FileLocation(kind, base=arg if isinstance(arg, str) else None)


def _background(value: Any) -> Background:
    if not isinstance(value, dict) or "beginsPattern" not in value or "endsPattern" not in value:
        raise MatcherError("background needs beginsPattern and endsPattern")

    def pattern(p: Any) -> re.Pattern[str]:
        return _regexp(p["regexp"] if isinstance(p, dict) else str(p))

    return Background(
        pattern(value["beginsPattern"]),
        pattern(value["endsPattern"]),
        value.get("activeOnStart") is True,
    )
