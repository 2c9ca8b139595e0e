"""The one way intentls runs git: never a program that a repository configures.

Every git call of the project goes through `SafeGit` (the git tools, their undo, snapshots'
blob references). A repository is data; its `.git/config` is not a list of programs to run:

- The inherited environment loses every `GIT_*` variable (a stray `GIT_DIR` or
  `GIT_CONFIG_PARAMETERS` would redirect or reconfigure git), and git is told not to prompt,
  page, edit or ask for a password.
- Always, trusted or not: hooks point at /dev/null, fsmonitor is off, every filter driver
  is `cat`, pager/editor/askpass/credential helpers are neutral. These overrides travel in
  `GIT_CONFIG_COUNT` (never parsed from argv), so the gits that git starts (submodules) get
  them too.
- In an untrusted folder, configuration from the repository (its `config`, `config.worktree`
  and whatever they include) takes effect only for keys on `ALLOWED` (identity, remotes,
  layout, formats); every other key it sets is overridden with a neutral value, so a key
  nobody thought of (signing programs, `core.sshCommand`, diff and merge drivers, ...) is inert.
  A repository that moves its work tree elsewhere (`core.worktree`) is refused.

Trusted folders keep the repository's configuration apart from the "always" list (signing
with its `gpg.program`, for instance). Configuration the user set (global, system) is the
user's and is kept."""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

import attrs

TIMEOUT_S = 120.0
CONFIG_TIMEOUT_S = 10.0
"""Reading configuration is quick; a repository whose includes name a FIFO must not stall."""

ALWAYS: tuple[tuple[str, str], ...] = (
    ("core.hooksPath", os.devnull),
    ("core.fsmonitor", "false"),
    ("core.pager", "cat"),
    ("core.editor", "true"),
    ("core.askPass", ""),
    ("credential.helper", ""),
    ("diff.external", ""),
    ("submodule.recurse", "false"),
)
"""Overrides on every call, trusted or not (an empty `credential.helper` empties the list)."""

ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_EDITOR": "true",
    "GIT_SEQUENCE_EDITOR": "true",
    "GIT_PAGER": "cat",
    "GIT_ASKPASS": "",
    "GIT_ALLOW_PROTOCOL": "file",
    "GIT_PROTOCOL_FROM_USER": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "LC_ALL": "C",
}
DROPPED = ("GIT_", "SSH_ASKPASS")

ALLOWED = (
    "core.repositoryformatversion",
    "core.bare",
    "core.filemode",
    "core.logallrefupdates",
    "core.ignorecase",
    "core.precomposeunicode",
    "core.symlinks",
    "core.autocrlf",
    "core.eol",
    "core.safecrlf",
    "core.quotepath",
    "core.abbrev",
    "core.checkstat",
    "core.trustctime",
    "core.splitindex",
    "core.untrackedcache",
    "core.commitgraph",
    "core.multipackindex",
    "core.sparsecheckout",
    "core.sparsecheckoutcone",
    "core.compression",
    "core.looseobjectcompression",
    "extensions.objectformat",
    "extensions.worktreeconfig",
    "extensions.preciousobjects",
    "user.name",
    "user.email",
    "author.*",
    "committer.*",
    "i18n.*",
    "init.*",
    "remote.*.url",
    "remote.*.pushurl",
    "remote.*.fetch",
    "remote.*.push",
    "remote.*.tagopt",
    "remote.*.mirror",
    "remote.*.prune",
    "branch.*.remote",
    "branch.*.pushremote",
    "branch.*.merge",
    "branch.*.rebase",
    "branch.*.description",
    "submodule.*.url",
    "submodule.*.active",
    "submodule.*.branch",
    "gc.*",
    "pack.*",
    "index.*",
    "status.*",
    "color.*",
    "advice.*",
    "pull.*",
    "push.default",
    "fetch.prune",
    "feature.*",
    "protocol.version",
    "lfs.*",
)
"""Repository keys an untrusted folder keeps (glob over the lower-cased key): data, never a
program, a path outside the repository that git would run or enter, or a switch turning one on."""

NEUTRAL = (
    ("filter.*.clean", "cat"),
    ("filter.*.smudge", "cat"),
    ("filter.*.required", "false"),
    ("merge.*.driver", "false"),
)
"""Neutral values where an empty one would not be (a `cat` filter passes content through; a
merge driver that fails leaves a conflict); any other key not allowed is set empty (false)."""

INCLUDES = re.compile(r"^include(if\..*)?\.path$")
"""Include directives: what they pull in is listed (and judged) entry by entry."""
REPOSITORY_SCOPES = frozenset({"local", "worktree"})


class GitError(Exception):
    """git could not be run at all (absent, too slow, refused); `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@attrs.frozen
class ConfigEntry:
    scope: str
    key: str
    """As git lists it: section and name lower-cased, a subsection as written."""
    value: str


def base_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without the caller's `GIT_*` variables, plus `ENV`."""
    env = {k: v for k, v in (environ or os.environ).items() if not k.startswith(DROPPED)}
    env.update(ENV)
    return env


def _with_config(env: dict[str, str], pairs: list[tuple[str, str]]) -> dict[str, str]:
    out = dict(env)
    for i, (key, value) in enumerate(pairs):
        out[f"GIT_CONFIG_KEY_{i}"] = key
        out[f"GIT_CONFIG_VALUE_{i}"] = value
    out["GIT_CONFIG_COUNT"] = str(len(pairs))
    return out


def allowed(key: str) -> bool:
    low = key.lower()
    return any(fnmatch.fnmatchcase(low, pattern) for pattern in ALLOWED)


def neutral_value(key: str) -> str:
    low = key.lower()
    for pattern, value in NEUTRAL:
        if fnmatch.fnmatchcase(low, pattern):
            return value
    return ""


def parse_listing(out: bytes) -> list[ConfigEntry]:
    """`git config --list --null --show-scope` output: scope NUL key LF value NUL ..."""
    fields = out.decode("utf-8", "surrogateescape").split("\0")
    entries = []
    for scope, item in zip(fields[0::2], fields[1::2], strict=False):
        key, _, value = item.partition("\n")
        entries.append(ConfigEntry(scope, key, value))
    return entries


def _filter_drivers(entries: list[ConfigEntry]) -> list[tuple[str, str]]:
    names = sorted(
        {e.key.rsplit(".", 1)[0] for e in entries if e.key.lower().startswith("filter.")}
    )
    pairs: list[tuple[str, str]] = []
    for name in names:
        pairs += [(f"{name}.clean", "cat"), (f"{name}.smudge", "cat"), (f"{name}.process", "")]
        pairs.append((f"{name}.required", "false"))
    return pairs


def overrides(entries: list[ConfigEntry], trusted: bool) -> list[tuple[str, str]]:
    """What to set on top of the configuration git reads: `ALWAYS`, every filter driver made
    `cat` and, untrusted, every repository key outside `ALLOWED` made neutral."""
    pairs = list(ALWAYS) + _filter_drivers(entries)
    if trusted:
        return pairs
    seen: set[str] = set()
    for entry in entries:
        if entry.scope not in REPOSITORY_SCOPES or entry.key in seen:
            continue
        seen.add(entry.key)
        if INCLUDES.match(entry.key.lower()) or allowed(entry.key):
            continue
        pairs.append((entry.key, neutral_value(entry.key)))
    return pairs


def refusal(entries: list[ConfigEntry], trusted: bool) -> str | None:
    """Why an untrusted repository is not run at all."""
    if trusted:
        return None
    for entry in entries:
        if entry.scope in REPOSITORY_SCOPES and entry.key.lower() == "core.worktree":
            return (
                "the repository's configuration moves its work tree (core.worktree = "
                f"{entry.value[:200]!r}); not followed in an untrusted folder"
            )
    return None


def _spawn(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    stdin: bytes | None,
    timeout: float,
) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *argv],
            cwd=cwd,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except (FileNotFoundError, NotADirectoryError):
        if not cwd.is_dir():
            raise GitError(f"{cwd} is not a directory") from None
        raise GitError("git is not installed (not found on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {argv[0]} took longer than {timeout:g} s") from None


class SafeGit:
    """git in one directory with one trust verdict. The configuration is read once, on the
    first call; keep the object for a batch of calls, make a new one after the repository's
    configuration may have changed."""

    def __init__(self, cwd: Path, *, trusted: bool, timeout: float = TIMEOUT_S) -> None:
        self.cwd = cwd
        self.trusted = trusted
        self.timeout = timeout
        self._env: dict[str, str] | None = None

    def env(self) -> dict[str, str]:
        """The environment every call runs with (for a caller that starts git itself, e.g. a
        long-lived `cat-file --batch`: `["git", *argv]` with this env and `cwd`)."""
        if self._env is None:
            base = base_env()
            listed = _spawn(
                ["config", "--list", "--null", "--show-scope", "--includes"],
                self.cwd,
                _with_config(base, list(ALWAYS)),
                None,
                CONFIG_TIMEOUT_S,
            )
            entries = parse_listing(listed.stdout) if listed.returncode == 0 else []
            reason = refusal(entries, self.trusted)
            if reason is not None:
                raise GitError(reason)
            self._env = _with_config(base, overrides(entries, self.trusted))
        return self._env

    def run_bytes(
        self, argv: list[str], stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        """Run `git argv` without a shell; a failing command is the caller's to judge, one that
        cannot run is a GitError."""
        return _spawn(argv, self.cwd, self.env(), stdin, self.timeout)

    def run(self, argv: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """`run_bytes` with text in and out (UTF-8, undecodable bytes replaced)."""
        done = self.run_bytes(argv, None if stdin is None else stdin.encode())
        return subprocess.CompletedProcess(
            done.args,
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )
