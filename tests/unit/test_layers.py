"""The layering contracts (`[tool.importlinter]` in pyproject.toml, run by `make check`) cover
every module, and the terminal really starts without the LSP."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import intentls

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
FACES = {"intentls.lsp"}
"""The LSP face: everything else is domain or terminal."""


def contracts() -> dict[str, dict[str, list[str]]]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return {c["id"]: c for c in config["contracts"]}


def test_every_top_level_module_is_under_a_contract() -> None:
    found = {f"intentls.{m.name}" for m in pkgutil.iter_modules(intentls.__path__)}
    listed = {*contracts()["domain"]["source_modules"], *contracts()["terminal"]["source_modules"]}
    assert found - FACES - listed == set(), "add new modules to a contract in pyproject.toml"
    assert listed <= found, "a contract names a module that no longer exists"


CLIENTS = {"intentls.__main__", "intentls.demo"}
"""`__main__` runs the CLI when imported; the demo is an LSP client (pygls' own), loaded only
by `intentls demo`."""


def test_the_terminal_modules_load_nothing_of_the_lsp() -> None:
    terminal = [m for m in contracts()["terminal"]["source_modules"] if m not in CLIENTS]
    code = (
        "import importlib, json, sys\n"
        f"for name in {terminal!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in ('pygls', 'lsprotocol') or m.startswith('intentls.lsp'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []
