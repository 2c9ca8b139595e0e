"""The WHERE clause of a runs query, from optional filters; SQL text only from constants,
values always bound."""

from __future__ import annotations

from collections.abc import Sequence

Filter = tuple[str, str, object | None]
"""(column, operator, value); a None value means "no filter"."""


def where(
    filters: Sequence[Filter], always: Sequence[tuple[str, Sequence[object]]] = ()
) -> tuple[str, tuple[object, ...]]:
    """`always`: clauses with their parameters that apply regardless (e.g. `status IN (?, ?)`)."""
    clauses = [clause for clause, _ in always]
    params: list[object] = [p for _, values in always for p in values]
    for column, op, value in filters:
        if value is not None:
            clauses.append(f"runs.{column} {op} ?")
            params.append(value)
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), tuple(params)
