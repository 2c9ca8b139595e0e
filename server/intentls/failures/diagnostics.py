"""A failed step's output turned into diagnostics on the files it names: problem matchers run
after the step, in a worker thread, so the output stream never waits for them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from intentls.failures.classifier import strip_ansi
from intentls.failures.matchers.engine import Matching, Problem
from intentls.failures.matchers.locate import locate
from intentls.failures.matchers.schema import Matcher
from intentls.failures.matchers.select import GENERIC, choose


@attrs.frozen
class Diagnostic:
    """A problem at a place in a file: 0-based lines and characters, as LSP counts them."""

    path: Path
    line: int
    character: int
    end_line: int
    end_character: int
    severity: str
    message: str
    code: str | None
    source: str
    """The matcher's source or owner (`gcc`, `mypy`): which tool said it."""
    related: tuple[str, ...] = ()
    step_id: str = ""


def find_diagnostics(
    output: str,
    command: str,
    folder: Path,
    cwd: Path,
    matchers: Sequence[Matcher] | None = None,
    step_id: str = "",
) -> list[Diagnostic]:
    """Diagnostics from `output`: by `matchers` when given, else by those chosen for the command
    and the tools seen in the output (the generic one when they find nothing)."""
    chosen = list(matchers) if matchers is not None else choose(command, output)
    problems = _problems(output, chosen)
    if not problems and matchers is None:
        problems = _problems(output, [GENERIC])
    lines = _Lines()
    found: dict[tuple[Path, int, int, str], Diagnostic] = {}
    for problem in problems:
        path = locate(problem.file, problem.matcher.file_location, folder, cwd)
        if path is not None:
            diagnostic = _diagnostic(problem, path, lines, step_id)
            key = (path, diagnostic.line, diagnostic.character, diagnostic.message)
            found.setdefault(key, diagnostic)
    return list(found.values())


def _problems(output: str, matchers: Sequence[Matcher]) -> list[Problem]:
    matching = Matching(matchers)
    events = matching.feed(strip_ansi(output)) + matching.close()
    return [e for e in events if isinstance(e, Problem)]


class _Lines:
    """Each file's lines, read once: a problem without a column covers its line's text."""

    def __init__(self) -> None:
        self._files: dict[Path, list[str]] = {}

    def text(self, path: Path, line: int) -> str:
        if path not in self._files:
            try:
                self._files[path] = path.read_text(errors="replace").splitlines()
            except OSError:
                self._files[path] = []
        lines = self._files[path]
        return lines[line] if 0 <= line < len(lines) else ""


def _diagnostic(problem: Problem, path: Path, lines: _Lines, step_id: str) -> Diagnostic:
    line = max((problem.line or 1) - 1, 0)
    text = lines.text(path, line)
    if problem.column:
        start = problem.column - 1
        end = (problem.end_column - 1) if problem.end_column else _word_end(text, start)
    else:
        start, end = len(text) - len(text.lstrip()), max(len(text.rstrip()), 1)
    end_line = max((problem.end_line or problem.line or 1) - 1, line)
    return Diagnostic(
        path=path,
        line=line,
        character=start,
        end_line=end_line,
        end_character=max(end, start + 1) if end_line == line else end,
        severity=problem.severity,
        message=problem.message,
        code=problem.code,
        source=problem.matcher.source or problem.matcher.owner,
        related=problem.context,
        step_id=step_id,
    )


def _word_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
        end += 1
    return max(end, start + 1)
