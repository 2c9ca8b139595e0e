"""Work not done twice: a step that opted in (intents.toml `upToDate = true`, or `inputs` /
`outputs` globs) is skipped when nothing it reads changed since its last success.

What a step reads, as one digest: its command text, directory and argv; the values of the
environment variables it names (its `env` table, and `$NAME` / `${NAME}` in its command); and
the content of its inputs (the `inputs` globs, or every file of the folder git would not
ignore, minus its `outputs`). A success is remembered only when its inputs were the same before
and after it ran (a step that rewrites its own inputs, or an edit made while it ran, is never
up to date). With `outputs`, they must also still be as that success left them.

Correct before fast: contents are hashed, never judged by modification time alone; a stat cache
spares re-reading a file whose stat did not change, unless it changed within `RACY_NS` of being
read (it may change again within one timestamp tick without its stat changing)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol

import attrs
from pathspec import GitIgnoreSpec

from intentls.history.uptodate import UpToDateRecord as Record
from intentls.model import PlanStep, WarningKind
from intentls.undo.eligible import GIT, Eligibility

RACY_NS = 10_000_000
"""10 ms: more than the coarsest kernel timestamp tick."""

UP_TO_DATE = WarningKind.UP_TO_DATE
"""The run warning that says which steps were skipped as up to date."""

_NAMED = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_GLOB_CHARS = frozenset("*?[")


@attrs.frozen
class Spec:
    """What a step declared: `inputs` None means every eligible file of the folder."""

    inputs: tuple[str, ...] | None
    outputs: tuple[str, ...]

    @classmethod
    def of(cls, step: PlanStep) -> Spec | None:
        args = step.args
        if not (args.get("upToDate") or "inputs" in args or "outputs" in args):
            return None
        inputs = args.get("inputs")
        return cls(tuple(inputs) if inputs is not None else None, tuple(args.get("outputs", ())))


class RecordStore(Protocol):
    """Where successes are remembered (the history file)."""

    async def up_to_date_record(self, key: str) -> Record | None: ...

    def remember_up_to_date(self, key: str, record: Record) -> object: ...


def step_key(folder: Path, step: PlanStep) -> str:
    """The step's identity: same folder, directory and command text (and argv)."""
    ident = [os.fspath(folder), step.cwd, step.args.get("command"), step.args.get("argv")]
    return hashlib.sha256(json.dumps(ident).encode()).hexdigest()


def named_env(step: PlanStep, env: Mapping[str, str]) -> dict[str, str | None]:
    """The environment variables the step names, with their values (None: unset)."""
    text = " ".join([str(step.args.get("command", "")), *(step.args.get("argv") or [])])
    names = set(step.env) | set(_NAMED.findall(text))
    return {name: env.get(name) for name in sorted(names)}


class Fingerprints:
    """Digests of file sets, with a stat cache kept for the life of the process."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[int, int, int, int, int], str]] = {}
        self.read = 0
        """Files read (not answered by the stat cache), for tests and the bench."""

    def inputs(self, folder: Path, step: PlanStep, spec: Spec, env: Mapping[str, str]) -> str:
        """The digest of everything the step reads."""
        h = hashlib.sha256()
        ident = [step.args.get("command"), step.args.get("argv"), step.cwd]
        h.update(json.dumps([ident, named_env(step, env)]).encode())
        outputs = _spec(spec.outputs)
        if spec.inputs is None:
            paths = _eligible_files(folder, outputs)
        else:
            paths = _matching(folder, spec.inputs, outputs)
        self._digest_into(h, folder, paths)
        return h.hexdigest()

    def outputs(self, folder: Path, spec: Spec) -> str:
        """The digest of the outputs as they are ("" when the step declared none)."""
        if not spec.outputs:
            return ""
        h = hashlib.sha256()
        self._digest_into(h, folder, _matching(folder, spec.outputs, None))
        return h.hexdigest()

    def _digest_into(self, h: hashlib._Hash, folder: Path, paths: Iterator[str]) -> None:
        root = os.fspath(folder)
        for rel in sorted(paths):
            h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
            h.update(self._one(os.path.join(root, rel)).encode() + b"\n")  # noqa: PTH118

    def _one(self, path: str) -> str:
        try:
            st = os.lstat(path)
        except OSError:
            return "absent"
        if stat.S_ISLNK(st.st_mode):
            try:
                return "link:" + os.readlink(path)  # noqa: PTH115
            except OSError:
                return "absent"
        key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_mode)
        cached = self._cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        sha = hashlib.sha256()
        try:
            with open(path, "rb") as fh:  # noqa: PTH123
                while chunk := fh.read(1 << 20):
                    sha.update(chunk)
        except OSError:
            return "unreadable"
        self.read += 1
        value = f"{'x' if st.st_mode & stat.S_IXUSR else '-'}{sha.hexdigest()}"
        if max(st.st_mtime_ns, st.st_ctime_ns) < time.time_ns() - RACY_NS:
            self._cache[path] = (key, value)
        else:
            self._cache.pop(path, None)
        return value


def _spec(globs: tuple[str, ...] | None) -> GitIgnoreSpec | None:
    return GitIgnoreSpec.from_lines(globs) if globs else None


def _eligible_files(folder: Path, outputs: GitIgnoreSpec | None) -> Iterator[str]:
    """Every file git would not ignore (`.gitignore` at every level), minus the outputs."""
    for rel, st in Eligibility(folder, []).walk():
        if stat.S_ISDIR(st.st_mode):
            continue
        if outputs is None or not outputs.match_file(rel):
            yield rel


def _matching(folder: Path, globs: tuple[str, ...], outputs: GitIgnoreSpec | None) -> Iterator[str]:
    """Files matching the globs (gitignore syntax, ignored files included), walking only the
    directories the globs can reach; `.git` is never entered."""
    spec = GitIgnoreSpec.from_lines(globs)
    root = os.fspath(folder)
    seen: set[str] = set()
    for base in _bases(globs):
        start = os.path.join(root, base) if base else root  # noqa: PTH118
        for directory, dirs, files in os.walk(start):
            dirs[:] = [d for d in dirs if d != GIT]
            prefix = os.path.relpath(directory, root).replace(os.sep, "/")
            prefix = "" if prefix == "." else prefix + "/"
            for name in files:
                rel = prefix + name
                if rel in seen or not spec.match_file(rel):
                    continue
                if outputs is not None and outputs.match_file(rel):
                    continue
                seen.add(rel)
                yield rel


def _bases(globs: tuple[str, ...]) -> list[str]:
    """The literal leading directories of the globs: where a walk must start."""
    bases: set[str] = set()
    for glob in globs:
        if glob.startswith("!"):
            continue
        parts = glob.strip("/").split("/")
        if len(parts) == 1:  # `*.c` matches at any depth, as in .gitignore
            return [""]
        literal = []
        for part in parts[:-1]:
            if _GLOB_CHARS & set(part):
                break
            literal.append(part)
        bases.add("/".join(literal))
    if "" in bases:
        return [""]
    return sorted(b for b in bases if not any(b.startswith(o + "/") for o in bases if o != b))


@attrs.frozen
class Check:
    """One step's inputs before it runs, and the success it matches (None: it must run)."""

    spec: Spec
    key: str
    inputs: str
    fresh: Record | None


class UpToDate:
    """One run's checks and records; hashing runs in worker threads, never on the loop."""

    def __init__(
        self,
        folder: Path,
        records: RecordStore,
        fingerprints: Fingerprints,
        run_id: str,
        force: bool,
    ) -> None:
        self._folder = folder
        self._records = records
        self._fp = fingerprints
        self._run_id = run_id
        self._force = force

    async def check(self, step: PlanStep, env: Mapping[str, str]) -> Check | None:
        """None: the step did not opt in."""
        spec = Spec.of(step)
        if spec is None:
            return None
        key = step_key(self._folder, step)
        inputs = await asyncio.to_thread(self._fp.inputs, self._folder, step, spec, env)
        if self._force:
            return Check(spec, key, inputs, None)
        record = await self._records.up_to_date_record(key)
        if record is None or record.inputs != inputs:
            return Check(spec, key, inputs, None)
        outputs = await asyncio.to_thread(self._fp.outputs, self._folder, spec)
        return Check(spec, key, inputs, record if outputs == record.outputs else None)

    async def succeeded(
        self, check: Check, step: PlanStep, env: Mapping[str, str], output: str
    ) -> None:
        """Remember the success, unless its inputs changed while it ran."""
        after = await asyncio.to_thread(self._fp.inputs, self._folder, step, check.spec, env)
        if after != check.inputs:
            return
        outputs = await asyncio.to_thread(self._fp.outputs, self._folder, check.spec)
        record = Record(check.inputs, outputs, self._run_id, output, time.time())
        self._records.remember_up_to_date(check.key, record)
