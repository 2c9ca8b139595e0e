"""The one engine over the rules: evidence in (command, exit code, combined output), the
contract's `StepError` out."""

from __future__ import annotations

import re
import signal

import attrs

from intentls.failures.categories import ERROR, Category
from intentls.failures.rules import ANY, EXIT_RULES, NOISE, RULES, SIGNALS, SIGNATURES
from intentls.failures.tools import tools_in_command
from intentls.model import StepError

MESSAGE_CHARS = 400
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


@attrs.frozen
class Evidence:
    """What is known about a failed step."""

    command: str
    output: str
    """stdout and stderr as one stream, in the order they arrived (the executor's tail)."""
    exit_code: int | None
    """Negative: killed by that signal; None: never started, or a built-in tool."""
    timeout_s: float | None = None
    """Set when the step was stopped for running longer than this."""


def classify(evidence: Evidence) -> StepError:
    """Why the step failed, and the line that says so."""
    text = clean(evidence.output)
    code = evidence.exit_code
    if evidence.timeout_s is not None:
        return _error(Category.TIMEOUT, f"timed out after {evidence.timeout_s:g} s")
    if code is not None and code < 0:
        return _error(SIGNALS.get(-code, Category.UNKNOWN), f"killed by {_signal_name(-code)}")
    tools = tools_in_command(evidence.command) | tools_in_output(text)
    for rule in RULES:
        if (rule.tool == ANY or rule.tool in tools) and (match := rule.pattern.search(text)):
            message = match.groupdict().get("message") or match.group(0)
            return StepError(rule.category, _trim(message), rule.severity, rule.transient)
    return _from_exit(code, tools, last_line(text))


def from_tool_error(category: str, message: str) -> StepError:
    """A built-in tool's own error (intentls.tools.errors) in the contract's categories."""
    known = _TOOL_CATEGORIES.get(category)
    if known is None:  # `git` and `io`: what git or the system said decides
        return classify(Evidence("git" if category == "git" else "", message, None))
    return _error(known, message)


def tools_in_output(text: str) -> set[str]:
    """Tools recognised by their output's shape: through `make` or `npm run`, the command line
    does not say what ran."""
    return {tool for tool, signature in SIGNATURES.items() if signature.search(text)}


def clean(output: str) -> str:
    """Lines as a terminal shows them (colours gone, `\\r` redraws resolved), without the
    wrappers' own failure reports."""
    lines = []
    for raw in strip_ansi(output).split("\n"):
        line = raw.rstrip("\r").rsplit("\r", 1)[-1]
        if not NOISE.match(line):
            lines.append(line)
    return "\n".join(lines)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return _trim(line)
    return ""


def _from_exit(code: int | None, tools: set[str], line: str) -> StepError:
    for rule in EXIT_RULES:
        if code in rule.codes and (rule.tool == ANY or rule.tool in tools):
            return _error(rule.category, line or rule.description, rule.transient)
    if code is not None and code > 128 and code - 128 in SIGNALS:
        return _error(SIGNALS[code - 128], line or f"killed by {_signal_name(code - 128)}")
    return _error(Category.UNKNOWN, line or f"exited with code {code}")


def _error(category: Category, message: str, transient: bool = False) -> StepError:
    return StepError(category, _trim(message), ERROR, transient)


def _trim(message: str) -> str:
    message = message.strip()
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


_TOOL_CATEGORIES = {
    "confinement": Category.PERMISSION,
    "notFound": Category.FILE_NOT_FOUND,
    "exists": Category.CONFLICT,
    "invalid": Category.USAGE,
    "history": Category.RESOURCE,
}
"""intentls.tools.errors' categories; `io` and `git` are classified by their message."""
