"""The error a built-in tool fails with: a category (stored with the step) and a message."""

from __future__ import annotations

CONFINEMENT = "confinement"
NOT_FOUND = "notFound"
EXISTS = "exists"
GIT = "git"
IO = "io"
HISTORY = "history"
INVALID = "invalid"


class ToolError(Exception):
    def __init__(self, category: str, message: str) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
