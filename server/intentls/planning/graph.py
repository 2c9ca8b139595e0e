"""The plan as a graph: which steps can run together (levels), the longest chain (critical
path), and each step's priority for the scheduler."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from intentls.model import PlanStep


class CycleError(ValueError):
    """Steps depend on each other in a circle; the message names the circle."""


def topological(steps: Sequence[PlanStep]) -> list[PlanStep]:
    """Steps ordered so that each comes after its dependencies; refuses cycles."""
    by_id = {s.id: s for s in steps}
    state: dict[str, int] = {}  # 1: in progress, 2: done
    order: list[PlanStep] = []

    def visit(step: PlanStep, path: list[str]) -> None:
        if state.get(step.id) == 2:
            return
        if state.get(step.id) == 1:
            cycle = [*path[path.index(step.id) :], step.id]
            raise CycleError("steps depend on each other: " + " → ".join(cycle))
        state[step.id] = 1
        for dep in step.depends_on:
            if dep not in by_id:
                raise CycleError(f"step {step.id} depends on unknown step {dep}")
            visit(by_id[dep], [*path, step.id])
        state[step.id] = 2
        order.append(step)

    for step in steps:
        visit(step, [])
    return order


def levels(steps: Sequence[PlanStep]) -> list[list[str]]:
    """Level n holds the steps whose longest chain of dependencies has n steps."""
    depth: dict[str, int] = {}
    for step in topological(steps):
        depth[step.id] = 1 + max((depth[d] for d in step.depends_on), default=-1)
    grouped: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for step in steps:
        grouped[depth[step.id]].append(step.id)
    return grouped


def remaining(steps: Sequence[PlanStep], cost: dict[str, float] | None = None) -> dict[str, float]:
    """For each step, the cost of the longest chain from it to the end (itself included):
    the scheduler starts the largest first, so the critical path never waits."""
    dependents: dict[str, list[str]] = {s.id: [] for s in steps}
    for step in steps:
        for dep in step.depends_on:
            dependents[dep].append(step.id)
    weight = cost or {}
    longest: dict[str, float] = {}
    for step in reversed(topological(steps)):
        tail = max((longest[d] for d in dependents[step.id]), default=0.0)
        longest[step.id] = weight.get(step.id, 1.0) + tail
    return longest


def critical_path(steps: Sequence[PlanStep], cost: dict[str, float] | None = None) -> list[str]:
    if not steps:
        return []
    longest = remaining(steps, cost)
    by_id = {s.id: s for s in steps}
    dependents: dict[str, list[str]] = {s.id: [] for s in steps}
    for step in steps:
        for dep in step.depends_on:
            dependents[dep].append(step.id)
    roots = [s.id for s in steps if not s.depends_on]
    current = max(roots, key=lambda i: longest[i])
    path = [current]
    while dependents[current]:
        current = max(dependents[current], key=lambda i: longest[i])
        path.append(current)
    assert all(p in by_id for p in path)
    return path


def order_by_paths(steps: list[PlanStep]) -> tuple[list[PlanStep], list[str]]:
    """Independent steps that write the same path, or where one reads what the other writes,
    are ordered as written (the later one waits); returns the steps and why each order was
    added. Paths are the built-in tools' `args.reads`/`args.writes`; a path covers what is
    below it (writing `build` conflicts with reading `build/app.js`)."""
    result = list(steps)
    reasons: list[str] = []
    touching = [i for i, s in enumerate(result) if "reads" in s.args or "writes" in s.args]
    for j in touching:
        later = result[j]
        for i in (i for i in touching if i < j):
            earlier = result[i]
            clash = _clash(earlier, later)
            if clash is None or _reaches(result, later.id, earlier.id):
                continue
            later = attrs.evolve(later, depends_on=[*later.depends_on, earlier.id])
            result[j] = later
            reasons.append(f"{later.id} waits for {earlier.id}: both touch {clash}")
    return result, reasons


def _paths(step: PlanStep, key: str) -> list[str]:
    value = step.args.get(key, [])
    return [p for p in value if isinstance(p, str)] if isinstance(value, list) else []


def _clash(a: PlanStep, b: PlanStep) -> str | None:
    pairs = [
        (_paths(a, "writes"), _paths(b, "writes")),
        (_paths(a, "writes"), _paths(b, "reads")),
        (_paths(a, "reads"), _paths(b, "writes")),
    ]
    for left, right in pairs:
        for x in left:
            for y in right:
                if _overlap(x, y):
                    return min(x, y, key=len)
    return None


def _overlap(x: str, y: str) -> bool:
    x, y = x.rstrip("/"), y.rstrip("/")
    return (
        x == y or x in (".", "") or y in (".", "") or y.startswith(x + "/") or x.startswith(y + "/")
    )


def _reaches(steps: list[PlanStep], start: str, target: str) -> bool:
    """Whether `start` already (transitively) depends on `target`."""
    by_id = {s.id: s for s in steps}
    todo, seen = [start], set()
    while todo:
        current = todo.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        todo.extend(by_id[current].depends_on)
    return False
