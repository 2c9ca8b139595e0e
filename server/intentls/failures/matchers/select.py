"""Which matchers read a step's output: those it names (tasks.json `problemMatcher`, intents.toml
`matchers`), else those of the tools its command runs and its output shows."""

from __future__ import annotations

from intentls.failures.classifier import clean, tools_in_output
from intentls.failures.matchers.builtin import BUILTIN, TOOLS
from intentls.failures.matchers.schema import Matcher
from intentls.failures.tools import tools_in_command

GENERIC = BUILTIN["generic"]
"""`file:line[:col]: [severity:] message`: read only when no chosen matcher found anything."""


def choose(command: str, output: str) -> list[Matcher]:
    tools = tools_in_command(command) | tools_in_output(clean(output))
    tools |= {t.split(" ", 1)[0] for t in tools}
    return [BUILTIN[name] for name, wanted in TOOLS.items() if tools.intersection(wanted)]
