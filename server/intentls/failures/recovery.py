"""Retrying what failed for a passing reason: exponential backoff with jitter.

Only a failure its classifier marks `transient` (a refused connection, a registry that did not
answer, a lock held) is tried again; a failing test, a compile error or a lint finding fails
the same way every time and is never retried blindly, whatever marks it.
"""

from __future__ import annotations

import random

import attrs

from intentls.model import StepError
from intentls.settings import RetrySettings

NEVER = frozenset({"testFailure", "compileError", "typeError", "lint", "syntax", "usage"})
"""Categories that say the code or the command is wrong: trying again changes nothing."""

_RNG = random.Random()

DEFAULT_RETRIES = 2
"""Tries after the first: three attempts in all unless an intent says otherwise."""


@attrs.frozen
class RetryPolicy:
    retries: int = DEFAULT_RETRIES
    base_delay_s: float = 0.5
    """The wait before the first retry; each further one waits twice as long, up to `max`."""
    max_delay_s: float = 8.0

    @classmethod
    def of(cls, settings: RetrySettings) -> RetryPolicy:
        return cls(
            base_delay_s=max(0, settings.base_delay_ms) / 1000,
            max_delay_s=max(0, settings.max_delay_ms) / 1000,
        )

    def should_retry(self, error: StepError | None, attempt: int) -> bool:
        """Whether attempt number `attempt` (1-based), which failed with `error`, is retried."""
        return (
            error is not None
            and attempt <= self.retries
            and error.transient
            and error.category not in NEVER
        )

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after failed attempt `attempt`: exponential, with jitter so that
        runs failing on the same outage do not all come back at the same moment."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2.0 ** (attempt - 1))
        return ceiling * (rng or _RNG).uniform(0.5, 1.0)

    def for_step(self, retries: object) -> RetryPolicy:
        """This policy with a step's own `retries` (intents.toml), when it gives one."""
        if isinstance(retries, int) and not isinstance(retries, bool) and retries >= 0:
            return attrs.evolve(self, retries=retries)
        return self


def retry_notice(error: StepError, attempt: int, attempts: int, delay_s: float) -> str:
    """The line shown in the step's output before it is tried again."""
    return (
        f"intentls: {error.category}: {error.message} — trying again in {delay_s:.1f} s "
        f"(attempt {attempt + 1} of {attempts})\n"
    )
