"""Problem matchers run over output line by line, as VS Code runs them: a multi-line matcher
needs its patterns on consecutive lines; the last may `loop` over following lines; a background
matcher's begin/end patterns mark the start and end of each cycle of a watch task."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from intentls.failures.matchers.needles import needles
from intentls.failures.matchers.schema import Matcher, Pattern

_FIELDS = (
    "file",
    "location",
    "line",
    "column",
    "end_line",
    "end_column",
    "severity",
    "code",
    "message",
)


@attrs.frozen
class Problem:
    """One problem as the output stated it; the file is not resolved yet."""

    matcher: Matcher
    file: str
    message: str
    line: int | None = None
    """1-based, as tools print it; None for a problem about the whole file."""
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    severity: str = "error"
    code: str | None = None
    context: tuple[str, ...] = ()
    """The other lines of a multi-line match: related information."""


@attrs.frozen
class Cycle:
    """A background matcher saw its begin (`started`) or end pattern: a watch task's new build
    starts (its problems are stale) or ends (its problems are complete)."""

    matcher: Matcher
    started: bool


class Matching:
    """Several matchers over one stream; `feed` takes text as it comes, in any pieces."""

    def __init__(self, matchers: Iterable[Matcher]) -> None:
        self._runs = [_Run(m) for m in matchers]
        self._partial = ""

    def feed(self, text: str) -> list[Problem | Cycle]:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        return [event for line in lines for event in self._line(line.rstrip("\r"))]

    def close(self) -> list[Problem | Cycle]:
        rest, self._partial = self._partial, ""
        return self._line(rest) if rest else []

    def _line(self, line: str) -> list[Problem | Cycle]:
        found: list[Problem | Cycle] = []
        for run in self._runs:
            # The common case, inline: an idle matcher whose first pattern cannot match here.
            skip = run.skippable
            if skip and not run.next and not run.looping and not any(n in line for n in skip):
                continue
            run.line(line, found)
        return found


class _Search:
    """A regexp searched only in lines holding one of its needles."""

    def __init__(self, regexp: re.Pattern[str], pattern: Pattern | None = None) -> None:
        self.regexp = regexp
        self.needles = needles(regexp)
        self.fields = [
            (name, group)
            for name in _FIELDS
            if pattern is not None and (group := getattr(pattern, name)) is not None
        ]
        """(field, match group) pairs the pattern fills."""

    def __call__(self, text: str) -> re.Match[str] | None:
        if self.needles and not any(n in text for n in self.needles):
            return None
        return self.regexp.search(text)


class _Run:
    """One matcher's state between lines."""

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher
        self.patterns = matcher.patterns
        self.search = [_Search(p.regexp, p) for p in matcher.patterns]
        background = matcher.background
        self.begins = _Search(background.begins) if background else None
        self.ends = _Search(background.ends) if background else None
        watch = (self.begins.needles, self.ends.needles) if self.begins and self.ends else ((),)
        self.skippable = (
            tuple(n for group in (self.search[0].needles, *watch) for n in group)
            if all(watch) and self.search[0].needles
            else ()
        )
        """A line with none of these cannot start a match nor begin or end a watch cycle."""
        self.next = 0
        """Index of the pattern the next line must match to continue a multi-line match."""
        self.data: dict[str, str] = {}
        self.lines: list[str] = []
        self.looping = False

    def line(self, text: str, found: list[Problem | Cycle]) -> None:
        if self.begins is not None and self.begins(text):
            found.append(Cycle(self.matcher, started=True))
        if self.ends is not None and self.ends(text):
            found.append(Cycle(self.matcher, started=False))
        if self.looping:
            if match := self.search[-1](text):
                taken = _take(self.search[-1], self.patterns[-1], match)
                self._emit({**self.data, **taken}, [*self.lines, text], found)
                return
            self._reset()
        if self.next and self._advance(text, found):
            return
        self._reset()
        self._advance(text, found)

    def _advance(self, text: str, found: list[Problem | Cycle]) -> bool:
        pattern = self.patterns[self.next]
        match = self.search[self.next](text)
        if match is None:
            return False
        data = {**self.data, **_take(self.search[self.next], pattern, match)}
        if self.next + 1 < len(self.patterns):
            self.data, self.next = data, self.next + 1
            self.lines.append(text)
            return True
        self._emit(data, [*self.lines, text], found)
        if pattern.loop and len(self.patterns) > 1:
            self.looping = True  # keep what the first lines said for every looped line
            self.next = 0
        else:
            self._reset()
        return True

    def _reset(self) -> None:
        self.next, self.data, self.lines, self.looping = 0, {}, [], False

    def _emit(self, data: dict[str, str], lines: list[str], found: list[Problem | Cycle]) -> None:
        if problem := _problem(self.matcher, data, lines):
            found.append(problem)


def _take(search: _Search, pattern: Pattern, match: re.Match[str]) -> dict[str, str]:
    groups = match.re.groups
    taken = {
        name: value
        for name, group in search.fields
        if group <= groups and (value := match.group(group))
    }
    if pattern.kind == "file":
        taken["kind"] = "file"
    return taken


def _problem(matcher: Matcher, data: dict[str, str], lines: list[str]) -> Problem | None:
    file, message = data.get("file", "").strip(), data.get("message", "").strip()
    if not file or not message:
        return None
    line, column, end_line, end_column = _location(data)
    if line is None and data.get("kind") != "file" and len(matcher.patterns) == 1:
        return None
    message_line = next((t for t in lines if message in t), "")
    return Problem(
        matcher=matcher,
        file=file,
        message=message,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        severity=severity(data.get("severity"), matcher.severity),
        code=data.get("code"),
        context=tuple(t for t in lines if t != message_line and t.strip()),
    )


def _location(data: dict[str, str]) -> tuple[int | None, ...]:
    if "location" in data:
        parts = [int(p) for p in re.findall(r"\d+", data["location"])][:4]
        return (*parts, *[None] * (4 - len(parts)))
    return tuple(
        int(data[k]) if data.get(k, "").isdigit() else None
        for k in ("line", "column", "end_line", "end_column")
    )


def severity(value: str | None, default: str | None) -> str:
    """VS Code's reading of a severity word: its first letter will do (`E`, `warn`, `Info`)."""
    for text in (value, default):
        word = (text or "").strip().lower()
        if word.startswith(("e", "fatal")):
            return "error"
        if word.startswith("w"):
            return "warning"
        if word.startswith(("i", "note")):
            return "info"
        if word.startswith(("h", "style")):
            return "hint"
    return "error"
