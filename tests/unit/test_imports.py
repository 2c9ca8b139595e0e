"""Every module of the package imports: cheap, and catches the silly breaks."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import intentls

SKIP = {"intentls.__main__"}
"""Importing `__main__` runs the CLI."""

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(intentls.__path__, "intentls.") if m.name not in SKIP
)


def test_the_walk_finds_the_package() -> None:
    assert len(MODULES) > 10
    assert "intentls.planning.grammar" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_import(name: str) -> None:
    assert importlib.import_module(name).__name__ == name
