"""Sessions for nox; intentls must read this file, never import it."""

import nox
from nox import session

open("pwned-by-nox", "w").close()  # what importing this file would do


@nox.session(python=["3.11", "3.12"])
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("pytest")
    session.run("pytest")


@nox.session(name="type-check")
def mypy(session: nox.Session) -> None:
    session.run("mypy")


@session
def docs(session: nox.Session) -> None:
    session.run("sphinx-build", "docs", "docs/_build")


def helper() -> None:
    pass
