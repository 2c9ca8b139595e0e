"""The plan as a graph: which steps can run together (levels), the longest chain (critical
path), and each step's priority for the scheduler."""

from __future__ import annotations

from collections.abc import Sequence

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
