""" "Why did it fail now?": a failed run beside the last success of the same intent — the files
changed between (undo records: what runs changed, what was edited between runs), environment
variables added, removed or changed (names only), the first error lines that are new, a
duration far from the usual, and whether the intent is flaky."""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping

from intentls.failures import flaky
from intentls.history.outcomes import PastRun
from intentls.history.store import History
from intentls.model import DurationComparison, EnvChange, Explanation, RunStatus

OUTLIER = 3.0
"""A duration this many times the usual (or a fraction of it) is worth saying."""
NEW_ERRORS = 3
_ERROR_LINE = re.compile(
    r"error|fail|fatal|exception|traceback|not found|denied|refused|cannot|can't|unable|"
    r"no such|invalid|missing|abort|killed|timed out",
    re.IGNORECASE,
)


def explain(run: PastRun, runs: list[PastRun]) -> Explanation:
    """`runs`: the folder's runs, oldest first, `run` among them."""
    earlier = [r for r in runs if r.intent == run.intent and r.started_at < run.started_at]
    success = next((r for r in reversed(earlier) if r.status == "succeeded"), None)
    files = flaky.changed_between(runs, success, run, own=False) if success else []
    env = env_changes(success.env, run.env) if success and success.env and run.env else []
    errors = new_errors(run, success)
    usual = _usual_duration(runs, run.intent)
    is_flaky = bool(flaky.flips(runs, run.intent))
    duration = DurationComparison(run.duration_ms, usual)
    return Explanation(
        run_id=run.run_id,
        intent=run.intent,
        status=RunStatus(run.status),
        summary=_summary(run, success, files, env, errors, duration, is_flaky),
        changed_files=files,
        env=env,
        new_errors=errors,
        duration_ms=duration,
        flaky=is_flaky,
        compared_with=success.run_id if success else None,
    )


def env_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[EnvChange]:
    """Names added, removed or whose value (by its keyed hash) changed, by name."""
    found = []
    for name in sorted(set(before) | set(after)):
        if name not in before:
            found.append(EnvChange(name, "added"))
        elif name not in after:
            found.append(EnvChange(name, "removed"))
        elif before[name] != after[name]:
            found.append(EnvChange(name, "changed"))
    return found


def new_errors(run: PastRun, success: PastRun | None) -> list[str]:
    """The error message and error-looking output lines of `run` that the success's output
    did not have, first ones first."""
    seen = set() if success is None else {line.strip() for line in success.output_tail.splitlines()}
    found: list[str] = []
    candidates = [run.message or "", *run.output_tail.splitlines()]
    for raw in candidates:
        line = raw.strip()
        if line and line not in seen and line not in found and _ERROR_LINE.search(line):
            found.append(line[:300])
        if len(found) == NEW_ERRORS:
            break
    return found


def _usual_duration(runs: list[PastRun], intent: str) -> int | None:
    durations = [r.duration_ms for r in runs if r.intent == intent and r.status == "succeeded"]
    return round(statistics.median(durations[-flaky.WINDOW :])) if durations else None


def outlier(duration: DurationComparison) -> str | None:
    """ "took 5.2x its usual 1.1 s" when far from the usual."""
    if not duration.usual or not duration.this:
        return None
    ratio = duration.this / duration.usual
    if 1 / OUTLIER < ratio < OUTLIER:
        return None
    return (
        f"took {duration.this / 1000:.1f} s, {ratio:.1f}x its usual {duration.usual / 1000:.1f} s"
    )


def _summary(
    run: PastRun,
    success: PastRun | None,
    files: list[str],
    env: list[EnvChange],
    errors: list[str],
    duration: DurationComparison,
    is_flaky: bool,
) -> str:
    cause = f" with {run.category}: {run.message}" if run.category and run.message else ""
    parts = [f"«{run.intent}» {run.status}{cause}."]
    if success is None:
        parts.append("It never succeeded in the runs kept, so there is nothing to compare with.")
    else:
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        parts.append(
            f"Since its last success ({success.run_id}): "
            + (f"{len(files)} file(s) changed ({shown})" if files else "no file changed")
            + (f"; environment: {', '.join(f'{e.name} {e.change}' for e in env)}" if env else "")
            + "."
        )
        if errors:
            parts.append(f"New error: {errors[0]}")
    slow = outlier(duration)
    if slow:
        parts.append(f"It {slow}.")
    if is_flaky:
        parts.append("Flaky: it failed and then passed before with nothing changed between.")
    return " ".join(parts)


class NothingToExplain(ValueError):
    """No such run, or no failed run in the folder (a request error: -32602)."""


async def explain_run(history: History, folder: str, run_id: str | None) -> Explanation:
    """Explain `run_id`, or the folder's newest failed run."""
    if run_id is None:
        run_id = await history.newest_failed(folder)
        if run_id is None:
            raise NothingToExplain("no failed run to explain in this folder")
    run = await history.outcome(run_id)
    if run is None:
        raise NothingToExplain(f"no run {run_id!r} in the history")
    runs = await history.outcomes(run.folder)
    if all(r.run_id != run.run_id for r in runs):  # older than those kept, or still running
        runs = sorted([*runs, run], key=lambda r: r.started_at)
    return explain(run, runs)
