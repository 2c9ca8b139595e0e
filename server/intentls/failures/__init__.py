"""Why a step failed: the classifier (rules as data, one engine) and problem matchers.

`classify` turns a failed step's evidence (command, exit code, combined output, timeout) into
the contract's `StepError {category, message, severity, transient}`; the retry and prediction
code reads `category` and `transient` from it.
"""

from intentls.failures.categories import Category
from intentls.failures.classifier import Evidence, classify, from_tool_error

__all__ = ["Category", "Evidence", "classify", "from_tool_error"]
