"""Whether a planned run may start now, or needs a person first (PROTOCOL.md, "When a run needs
a person"): untrusted folder, risk 3 without `confirm`, or an ambiguous phrase."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import attrs

from intentls.model import Command, IntentWarning, Plan, WarningKind
from intentls.trust import Trust
from intentls.vocabulary import CommandId

RUN_COMMAND = CommandId.RUN
HIGH_RISK = 3

Ask = Callable[[str, list[str]], Awaitable[str | None]]
"""Put a question with choices to the person; None when nobody answered in time."""


@attrs.frozen
class Hold:
    """Why a run does not start, and what the person can do about it."""

    warning: IntentWarning
    actions: list[Command]


def confirm_command(title: str, arguments: dict[str, Any]) -> Command:
    return Command(title, RUN_COMMAND, [{**arguments, "confirm": True}])


def check_trust(
    plan: Plan, trust: Trust, confirmed: bool, arguments: dict[str, Any]
) -> Hold | None:
    if confirmed or trust is Trust.TRUSTED or not any(s.needs_trust for s in plan.steps):
        return None
    reason = (
        "the editor marked this folder untrusted"
        if trust is Trust.DENIED
        else "nobody has trusted this folder yet"
    )
    return Hold(
        IntentWarning(
            WarningKind.UNTRUSTED,
            f"{plan.goal!r} runs commands defined by the workspace or a shell, and {reason}; "
            "nothing was run",
        ),
        [confirm_command(f"Run «{plan.goal}» once in this untrusted folder", arguments)],
    )


def check_risk(plan: Plan, confirmed: bool, arguments: dict[str, Any]) -> Hold | None:
    risky = [s for s in plan.steps if s.risk >= HIGH_RISK]
    if confirmed or not risky:
        return None
    titles = ", ".join(s.title for s in risky)
    return Hold(
        IntentWarning(
            WarningKind.RISK, f"high-risk steps need confirmation: {titles}; nothing was run"
        ),
        [confirm_command(f"Run «{plan.goal}» (confirm: {titles})", arguments)],
    )


def ambiguous(
    segment: str, candidates: list[str], alternatives: list[str], arguments: dict[str, Any]
) -> Hold:
    return Hold(
        IntentWarning(
            WarningKind.AMBIGUOUS,
            f"{segment!r} could mean {', '.join(candidates)}: pick one; nothing was run",
        ),
        [
            Command(f"Run {c}", RUN_COMMAND, [{**arguments, "intent": text}])
            for c, text in zip(candidates, alternatives, strict=True)
        ],
    )


RUN_ONCE, TRUST_FOLDER, DONT_RUN = "Run once", "Trust folder", "Don't run"
