"""Why a step failed: the classifier (rules as data, one engine) and problem matchers.

`classify` turns a failed step's evidence (command, exit code, combined output, timeout) into
the contract's `StepError {category, message, severity, transient}`; the retry and prediction
code reads `category` and `transient` from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from intentls.failures.categories import Category

if TYPE_CHECKING:
    from intentls.failures.classifier import Evidence, classify, from_tool_error

__all__ = ["Category", "Evidence", "classify", "from_tool_error"]


def __getattr__(name: str) -> Any:
    """The classifier loads on first use: its rules compile dozens of patterns at import,
    which a run whose steps all succeed (and the package's other modules) never need."""
    if name in ("Evidence", "classify", "from_tool_error"):
        from intentls.failures import classifier

        return getattr(classifier, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
