"""What git already keeps: a tracked file unchanged from its index entry is named by its blob.

The repository's index (`.git/index`, versions 2 to 4) is read directly, without running git:
per path its blob id, mode and the stat git saw when it last hashed the file. A file whose
`lstat` still matches that stat is the blob, by the same reasoning `git status` uses, so a
snapshot records `git:<oid>` instead of reading and storing the file. Checks stricter than
git's defaults: mtime and ctime to the nanosecond, inode, size, the exec bit. Never trusted
(its stat; its blob id still serves to recognise a file read with the same bytes): an entry git
itself would call racy (modified no earlier than the index file was written: it may
have changed again within the same timestamp tick), a conflicted, assume-unchanged,
skip-worktree or intent-to-add entry, a submodule or symlink. A split or sparse index, or one
that cannot be read, is not used at all (every file is read, as without git).

The index is read again only when its own stat changes."""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from pathlib import Path

import attrs

from intentls.safegit import GitError, SafeGit

GIT_REF = "git:"
"""Prefix of a content hash that names a git blob (`git:<hex oid>`)."""

_HEAD = struct.Struct(">4sII")
_STAT = struct.Struct(">10I")
_ASSUME_VALID = 0x8000
_EXTENDED = 0x4000
_STAGE = 0x3000
_NAME_MASK = 0x0FFF
_SKIP_WORKTREE = 0x4000
_INTENT_TO_ADD = 0x2000
_REGULAR = 0o100644
_EXECUTABLE = 0o100755
_UNUSABLE_EXTENSIONS = (b"link", b"sdir")
"""Split index (entries live in another file) and sparse index (directories as entries)."""


@attrs.frozen
class Blob:
    """An index entry that can stand for a file: its blob and the stat git recorded."""

    oid: str
    executable: bool
    ctime: tuple[int, int]
    mtime: tuple[int, int]
    ino: int
    size: int
    trusted: bool
    """False when its stat proves nothing: racy (modified no earlier than the index was
    written, git's rule)."""

    def matches(self, st: os.stat_result) -> bool:
        """The file is this blob: its stat is exactly what git recorded (git keeps 32 bits of
        the inode and size)."""
        return (
            self.trusted
            and stat.S_ISREG(st.st_mode)
            and (st.st_mtime_ns // 1_000_000_000, st.st_mtime_ns % 1_000_000_000) == self.mtime
            and (st.st_ctime_ns // 1_000_000_000, st.st_ctime_ns % 1_000_000_000) == self.ctime
            and st.st_ino & 0xFFFFFFFF == self.ino
            and st.st_size & 0xFFFFFFFF == self.size
            and bool(st.st_mode & stat.S_IXUSR) == self.executable
        )


def blob_id(data: bytes, oid_hex_len: int) -> str:
    """The id git gives `data` as a blob (SHA-1, or SHA-256 in a sha256 repository)."""
    algo = hashlib.sha1 if oid_hex_len == 40 else hashlib.sha256
    return algo(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def oid_of(content_hash: str | None) -> str | None:
    if content_hash is None or not content_hash.startswith(GIT_REF):
        return None
    return content_hash[len(GIT_REF) :]


@attrs.frozen
class Repository:
    """Where a folder's repository keeps its index, and the folder's place in the work tree."""

    top: Path
    """The work tree's root (where git commands run)."""
    index: Path
    prefix: str
    """The folder relative to the work tree ("" or ending in "/")."""

    @classmethod
    def find(cls, folder: Path) -> Repository | None:
        for top in (folder, *folder.parents):
            dot = top / ".git"
            try:
                if dot.is_dir():
                    gitdir = dot
                elif dot.is_file():
                    text = dot.read_text(encoding="utf-8", errors="replace").strip()
                    if not text.startswith("gitdir:"):
                        return None
                    gitdir = (top / text.removeprefix("gitdir:").strip()).resolve()
                else:
                    continue
            except OSError:
                return None
            rel = folder.relative_to(top).as_posix()
            return cls(top, gitdir / "index", "" if rel == "." else rel + "/")
        return None


class GitIndex:
    """A folder's view of its repository's index, read again when the index file changes."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self._key: tuple[int, int, int, int] | None = None
        self._parsed = Parsed({}, False)
        self._config: str | None = None
        """`core.autocrlf` and `core.attributesFile` as git lists them (None: not asked yet)."""

    def blobs(self) -> dict[str, Blob]:
        """Folder-relative path → blob, for the regular files the index names."""
        try:
            st = self.repo.index.stat()
        except OSError:
            self._key, self._parsed = None, Parsed({}, False)
            return self._parsed.blobs
        key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        if key != self._key:
            self._key, self._config = key, None
            try:
                data = self.repo.index.read_bytes()
            except OSError:
                data = b""
            self._parsed = parse(data, self.repo.prefix, _split(st.st_mtime_ns))
        return self._parsed.blobs

    def converted(self, rels: list[str], tree_attributes: bool) -> set[str] | None:
        """Among `rels`, the paths git may convert between blob and file (None: possibly all).
        `tree_attributes`: the folder holds a `.gitattributes`, tracked or not. git is asked
        (`check-attr`) only when some attributes file can apply."""
        if not rels:
            return set()
        if self._config is None:
            try:
                self._config = (
                    SafeGit(self.repo.top, trusted=False)
                    .run(["config", "-z", "--get-regexp", r"^core\.(autocrlf|attributesfile)$"])
                    .stdout
                )
            except GitError:
                return None
        if _true(self._config, "core.autocrlf"):
            return None  # every text file may have CRLF in the work tree and LF in git
        if not (
            tree_attributes
            or self._parsed.attributes
            or "core.attributesfile" in self._config.lower()
            or any(p.exists() for p in self._attribute_files())
        ):
            return set()
        return converted_paths(self.repo, rels)

    def _attribute_files(self) -> list[Path]:
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")  # noqa: PTH111
        above = [self.repo.top / d / ".gitattributes" for d in _above(self.repo.prefix)]
        info = self.repo.index.parent / "info" / "attributes"
        return [info, Path(xdg) / "git" / "attributes", *above]


def _above(prefix: str) -> list[str]:
    """The folder's directory and those above it, up to the work tree (relative to it)."""
    parts = prefix.rstrip("/").split("/") if prefix else []
    return ["/".join(parts[:n]) for n in range(len(parts) + 1)]


_CONVERTING = ("filter", "ident", "working-tree-encoding", "text", "eol", "crlf")
_NO_CONVERSION = (b"unspecified", b"unset")


def converted_paths(repo: Repository, rels: list[str]) -> set[str] | None:
    """Among `rels`, the paths whose attributes make git convert between blob and file
    (`.gitattributes` at any level, `info/attributes`, the user's attributes file), by
    `git check-attr`; None when git could not say."""
    try:
        safe = SafeGit(repo.top, trusted=False)
        names = [repo.prefix + rel for rel in rels]
        done = safe.run_bytes(
            ["check-attr", "-z", "--stdin", *_CONVERTING],
            b"".join(n.encode("utf-8", "surrogateescape") + b"\0" for n in names),
        )
    except GitError:
        return None
    if done.returncode != 0:
        return None
    fields = done.stdout.split(b"\0")
    converted: set[str] = set()
    for n in range(0, len(fields) - 2, 3):
        path, attr, value = fields[n : n + 3]
        text_off = attr in (b"text", b"crlf") and value == b"unset"
        if value not in _NO_CONVERSION and not text_off:
            converted.add(path.decode("utf-8", "surrogateescape")[len(repo.prefix) :])
    return converted


def _true(listing: str, key: str) -> bool:
    for item in listing.split("\0"):
        name, _, value = item.partition("\n")
        if name.lower() == key and value.lower() in ("true", "input", "yes", "on", "1"):
            return True
    return False


def _split(ns: int) -> tuple[int, int]:
    return ns // 1_000_000_000, ns % 1_000_000_000


@attrs.frozen
class Parsed:
    blobs: dict[str, Blob]
    """The entries below the folder that name a regular file's blob."""
    attributes: bool
    """Some `.gitattributes` is tracked (anywhere in the repository)."""


def parse(data: bytes, prefix: str, index_mtime: tuple[int, int]) -> Parsed:
    """The usable entries below `prefix` of an index file's bytes (none when unusable)."""
    nothing = Parsed({}, False)
    if len(data) < 12:
        return nothing
    signature, version, count = _HEAD.unpack_from(data)
    if signature != b"DIRC" or version not in (2, 3, 4):
        return nothing
    oid_len = _oid_length(data)
    if oid_len is None:
        return nothing
    entry = struct.Struct(f">10I{oid_len}sH")
    unpack = entry.unpack_from
    fixed = entry.size
    found: dict[str, Blob] = {}
    attributes = False
    pos, previous = 12, b""
    pre = prefix.encode("utf-8", "surrogateescape")
    skip = _ASSUME_VALID | _STAGE
    try:
        for _ in range(count):
            ctime_s, ctime_ns, mtime_s, mtime_ns, _dev, ino, mode, _u, _g, size, oid, flags = (
                unpack(data, pos)
            )
            at = pos + fixed
            extended = 0
            if flags & _EXTENDED:
                extended = data[at] << 8 | data[at + 1]
                at += 2
            if version == 4:
                strip, at = _varint(data, at)
                stop = data.index(b"\0", at)
                name = previous[: len(previous) - strip] + data[at:stop]
                previous, pos = name, stop + 1
            else:
                length = flags & _NAME_MASK
                stop = at + length if length < _NAME_MASK else data.index(b"\0", at)
                name = data[at:stop]
                pos += (stop - pos + 8) & ~7  # NUL-padded to a multiple of 8 (at least one)
            if name.endswith(b".gitattributes"):
                attributes = True
            if (
                flags & skip
                or extended & (_SKIP_WORKTREE | _INTENT_TO_ADD)
                or (mode != _REGULAR and mode != _EXECUTABLE)
                or not name.startswith(pre)
            ):
                continue
            found[name[len(pre) :].decode("utf-8", "surrogateescape")] = Blob(
                oid.hex(),
                mode == _EXECUTABLE,
                (ctime_s, ctime_ns),
                (mtime_s, mtime_ns),
                ino,
                size,
                (mtime_s, mtime_ns) < index_mtime,
            )
        if pos > len(data) - oid_len or _unusable_extension(data, pos, len(data) - oid_len):
            return nothing
    except (struct.error, ValueError, IndexError):
        return nothing
    return Parsed(found, attributes)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """git's offset varint (index v4 path compression)."""
    byte = data[at]
    at += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[at]
        at += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, at


def _oid_length(data: bytes) -> int | None:
    """20 (SHA-1) or 32 (SHA-256): the trailing checksum has the repository's hash length."""
    for length, algo in ((20, hashlib.sha1), (32, hashlib.sha256)):
        if (
            len(data) > 12 + length
            and algo(data[:-length], usedforsecurity=False).digest() == data[-length:]
        ):
            return length
    return None


def _unusable_extension(data: bytes, pos: int, end: int) -> bool:
    while pos + 8 <= end:
        signature = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8])
        if signature in _UNUSABLE_EXTENSIONS:
            return True
        pos += 8 + size
    return False


def read_blobs(top: Path, oids: list[str]) -> dict[str, bytes]:
    """The blobs git still has among `oids`, each checked against its id. One `cat-file
    --batch` through the safe runner (never a hook, filter or fsmonitor; the repository's
    configuration is an allow-list, whoever trusts it)."""
    if not oids:
        return {}
    try:
        done = SafeGit(top, trusted=False).run_bytes(
            ["cat-file", "--batch"], "".join(f"{o}\n" for o in oids).encode()
        )
    except GitError:
        return {}
    found: dict[str, bytes] = {}
    out, pos = done.stdout, 0
    while pos < len(out):
        eol = out.find(b"\n", pos)
        if eol < 0:
            break
        header = out[pos:eol].split()
        pos = eol + 1
        if len(header) != 3:  # `<oid> missing`
            continue
        size = int(header[2])
        data, pos = out[pos : pos + size], pos + size + 1
        oid = header[0].decode()
        if header[1] == b"blob" and blob_id(data, len(oid)) == oid:
            found[oid] = data
    return found
