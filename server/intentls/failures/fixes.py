"""Proposed fixes for a failed step: a warning and a ready action, never run without the
person's consent (docs/failures.md).

Two sources, learned first: what worked here before for the same (category, intent) — read
from the history as "it failed, then this ran and succeeded, then it succeeded" — and rules:
`python` → `python3`, the closest command on PATH or intent name, a missing Python module →
the install command of the project's environment, missing node modules → the lockfile's
install command.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import attrs
from rapidfuzz import process
from rapidfuzz.distance import OSA

from intentls.failures.prediction import command_name
from intentls.history.outcomes import PastRun

LEARN_WITHIN = 5
"""Runs after a failure in which the fix and then the intent's success must come."""

_MODULE = re.compile(r"No module named '([A-Za-z0-9_.]+)'")
_NODE_MISSING = re.compile(r"Cannot find (?:module|package) '[^'./]|: (?:command )?not found")
_NOT_FOUND = re.compile(r"(?:^|\s)([\w.+-]+): (?:command )?not found")
PACKAGES = {
    "yaml": "pyyaml",
    "cv2": "opencv-python",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "jwt": "pyjwt",
    "attr": "attrs",
    "magic": "python-magic",
    "serial": "pyserial",
    "usb": "pyusb",
    "Crypto": "pycryptodome",
    "google.protobuf": "protobuf",
    "OpenSSL": "pyopenssl",
    "zmq": "pyzmq",
    "git": "gitpython",
}
"""Modules whose distribution on PyPI has another name."""
NODE_INSTALL = (
    ("pnpm-lock.yaml", "pnpm install --frozen-lockfile"),
    ("yarn.lock", "yarn install --frozen-lockfile"),
    ("bun.lockb", "bun install --frozen-lockfile"),
    ("bun.lock", "bun install --frozen-lockfile"),
    ("package-lock.json", "npm ci"),
    ("npm-shrinkwrap.json", "npm ci"),
)


@attrs.frozen
class ProposedFix:
    intent: str
    """What to run (`$ python3 tool.py`, `$ .venv/bin/pip install pyyaml`, `test`)."""
    reason: str
    learned: bool = False
    """It worked here before for this failure."""


@attrs.frozen
class Failure:
    """A failed step as the fixes see it."""

    intent: str
    command: str
    """The step's command line ("" for a built-in tool)."""
    category: str
    message: str
    output: str = ""


def propose(
    failure: Failure,
    folder: Path,
    past: list[PastRun],
    intents: Iterable[str] = (),
    which: Callable[[str], str | None] = shutil.which,
) -> list[ProposedFix]:
    """Fixes for `failure`, learned ones first, without repeats."""
    found = [
        ProposedFix(fix, f"it fixed «{failure.intent}» here before ({n} time(s))", learned=True)
        for fix, n in learned(past, failure.category, failure.intent)
    ]
    found += _rules(failure, folder, list(intents), which)
    unique: dict[str, ProposedFix] = {}
    for fix in found:
        unique.setdefault(fix.intent, fix)
    return list(unique.values())


def learned(past: list[PastRun], category: str, intent: str) -> list[tuple[str, int]]:
    """Intents that fixed `intent` failing with `category` here: run and succeeded after such a
    failure, followed by the intent's success, within a few runs. Most often first."""
    worked: Counter[str] = Counter()
    for i, run in enumerate(past):
        if run.intent != intent or not run.failed or run.category != category:
            continue
        after = past[i + 1 : i + 1 + LEARN_WITHIN]
        passed = next((j for j, r in enumerate(after) if r.intent == intent), None)
        if passed is None or after[passed].status != "succeeded":
            continue
        fixes = {r.intent for r in after[:passed] if r.status == "succeeded"}
        worked.update(fixes - {intent})
    return worked.most_common()


def _rules(
    failure: Failure, folder: Path, intents: list[str], which: Callable[[str], str | None]
) -> list[ProposedFix]:
    text = f"{failure.message}\n{failure.output}"
    module = _MODULE.search(text)
    if failure.category == "dependency" and module:
        return [_pip(folder, module.group(1))]
    if failure.category in ("dependency", "commandNotFound") and _no_node_modules(folder, text):
        return [_node(folder)]
    if failure.category == "commandNotFound":
        return _command(failure, text, intents, which)
    return []


def _no_node_modules(folder: Path, text: str) -> bool:
    """A node project whose packages were never installed, and output that misses one."""
    return (
        (folder / "package.json").is_file()
        and not (folder / "node_modules").is_dir()
        and _NODE_MISSING.search(text) is not None
    )


def _command(
    failure: Failure, text: str, intents: list[str], which: Callable[[str], str | None]
) -> list[ProposedFix]:
    missing = _NOT_FOUND.search(text)
    name = missing.group(1) if missing else command_name(failure.command)
    if not name or not failure.command:
        return []
    if name == "python" and which("python3"):
        replaced = re.sub(r"(?<![\w/.-])python(?![\w.-])", "python3", failure.command)
        return [ProposedFix(f"$ {replaced}", "python is not installed here; python3 is")]
    close = _closest(name, intents)
    if close is not None:
        return [ProposedFix(close, f"«{name}» is not a command here; «{close}» is an intent")]
    close = _closest(name, _path_names())
    if close is None:
        return []
    replaced = re.sub(rf"(?<![\w/.-]){re.escape(name)}(?![\w.-])", close, failure.command, count=1)
    return [ProposedFix(f"$ {replaced}", f"«{name}» is not installed here; «{close}» is")]


def _closest(name: str, names: list[str]) -> str | None:
    """The nearest name by edits, a swap of two letters counting as one."""
    cutoff = 1 if len(name) <= 4 else 2
    found = process.extractOne(
        name, [n for n in names if n != name], scorer=OSA.distance, score_cutoff=cutoff
    )
    return None if found is None else str(found[0])


def _path_names() -> list[str]:
    names: set[str] = set()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        try:
            with os.scandir(directory or ".") as entries:
                names.update(e.name for e in entries if os.access(e.path, os.X_OK))
        except OSError:
            continue
    return sorted(names)


def _pip(folder: Path, module: str) -> ProposedFix:
    top = module if module in PACKAGES else module.split(".")[0]
    package = PACKAGES.get(top, top)
    if (folder / "uv.lock").is_file():
        command = f"uv add {package}"
    elif (folder / "poetry.lock").is_file():
        command = f"poetry add {package}"
    elif (venv := _venv(folder)) is not None:
        command = f"{venv}/bin/python -m pip install {package}"
    else:
        command = f"python3 -m pip install {package}"
    return ProposedFix(f"$ {command}", f"the module {module!r} is not installed")


def _venv(folder: Path) -> str | None:
    for name in (".venv", "venv", "env"):
        if (folder / name / "bin" / "python").exists():
            return name
    return None


def _node(folder: Path) -> ProposedFix:
    command = next((cmd for lock, cmd in NODE_INSTALL if (folder / lock).is_file()), "npm install")
    return ProposedFix(f"$ {command}", "node_modules is missing")
