"""A hostile repository: every place a `.git` directory can name a program, each program
leaving a marker file when it runs. Used by the unit tests and `make probe`."""

from __future__ import annotations

import subprocess
from pathlib import Path

HOOKS = (
    "pre-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "post-checkout",
    "post-index-change",
    "reference-transaction",
    "pre-auto-gc",
    "post-rewrite",
)


def _git(repo: Path, *argv: str) -> None:
    subprocess.run(["git", *argv], cwd=repo, check=True, capture_output=True)


def _script(path: Path, markers: Path, name: str, tail: str = "") -> str:
    path.write_text(f'#!/bin/sh\ntouch "{markers}/{name}"\n{tail}')
    path.chmod(0o755)
    return str(path)


def arm(repo: Path, markers: Path) -> list[str]:
    """Turn a repository (with a commit) hostile; the names of its traps. Each leaves
    `markers/<name>` when git runs it."""
    markers.mkdir(parents=True, exist_ok=True)
    bin_dir = repo / ".git" / "evil"
    bin_dir.mkdir()
    traps: list[str] = []

    def prog(name: str, tail: str = "") -> str:
        traps.append(name)
        return _script(bin_dir / name, markers, name, tail)

    settings = {
        "commit.gpgSign": "true",
        "tag.gpgSign": "true",
        "gpg.program": prog("gpg.program"),
        "gpg.ssh.program": prog("gpg.ssh.program"),
        "gpg.x509.program": prog("gpg.x509.program"),
        "core.sshCommand": prog("core.sshCommand"),
        "core.editor": prog("core.editor"),
        "sequence.editor": prog("sequence.editor"),
        "core.pager": prog("core.pager", "cat\n"),
        "core.askPass": prog("core.askPass"),
        "credential.helper": "!" + prog("credential.helper"),
        "diff.external": prog("diff.external"),
        "diff.evil.textconv": prog("diff.textconv", 'cat "$1"\n'),
        "diff.evil.command": prog("diff.command"),
        "merge.evil.driver": prog("merge.driver"),
        "filter.evil.clean": prog("filter.clean", "cat\n"),
        "filter.evil.smudge": prog("filter.smudge", "cat\n"),
        "filter.evil.required": "true",
        "core.fsmonitor": prog("core.fsmonitor"),
        "alias.st": "!" + prog("alias"),
        "interactive.diffFilter": prog("interactive.diffFilter", "cat\n"),
        "uploadpack.packObjectsHook": prog("packObjectsHook"),
        "core.alternateRefsCommand": prog("alternateRefsCommand"),
        "gc.auto": "1",
        "gc.autoDetach": "false",
    }
    for key, value in settings.items():
        _git(repo, "config", key, value)
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in HOOKS:
        traps.append(f"hook.{hook}")
        _script(hooks / hook, markers, f"hook.{hook}")
    included_hooks = bin_dir / "hooks"
    included_hooks.mkdir()
    for hook in HOOKS:
        _script(included_hooks / hook, markers, f"included-hook.{hook}")
    traps += [f"included-hook.{hook}" for hook in HOOKS]
    included = bin_dir / "included.conf"
    traps.append("included.fsmonitor")
    fsmonitor = _script(bin_dir / "included.fsmonitor", markers, "included.fsmonitor")
    included.write_text(f"[core]\n\thooksPath = {included_hooks}\n\tfsmonitor = {fsmonitor}\n")
    _git(repo, "config", "include.path", str(included))
    _git(repo, "config", "includeIf.gitdir:/.path", str(included))
    (repo / ".gitattributes").write_text("* filter=evil diff=evil merge=evil\n")
    return traps


def fired(markers: Path) -> list[str]:
    return sorted(p.name for p in markers.iterdir()) if markers.exists() else []
