"""`intentls plan TEXT`: how the text was read and what would run, nothing run (the terminal's
`intentls.plan`)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from rich.table import Table

from intentls.cli_common import open_services
from intentls.cli_pipe import answer, stdout_console
from intentls.cli_running import EXIT_BLOCKED, request_of
from intentls.model import Plan
from intentls.planning.planner import IntentError


def main(args: argparse.Namespace) -> int:
    request = request_of(args)
    services = open_services()
    try:
        plan = asyncio.run(services.engine.plan(request))
    except IntentError as exc:
        print(f"intentls: {exc}", file=sys.stderr)
        return EXIT_BLOCKED
    finally:
        services.close()
    return answer(plan, args.json, show)


def reading(plan: Plan) -> str:
    """`«$ echo cats and dogs» then «build»`: where each intent of the text begins and ends."""
    return " then ".join(" and ".join(f"«{text}»" for text in stage) for stage in plan.reading)


def show(plan: Plan) -> None:
    out = stdout_console(highlight=False)
    out.print(f"read as: {reading(plan)}", markup=False)
    table = Table("step", "runs", "after", "risk", box=None)
    for step in plan.steps:
        command = step.args.get("command")
        runs = (
            step.title if command is None or command == step.title else f"{step.title}: {command}"
        )
        table.add_row(step.id, runs, ", ".join(step.depends_on), str(step.risk))
    out.print(table)
    for warning in plan.warnings:
        out.print(f"{warning.kind}: {warning.message}", markup=False)
