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

The index is read again only when its own stat changes, and lazily: one pass finds where each
path's entry starts (the names only); an entry is unpacked when its file is looked at. The
hash length (SHA-1 or SHA-256) is the one whose entries and extensions end exactly at the
trailing checksum (no hashing of the whole file)."""

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
_ASSUME_VALID = 0x8000
_EXTENDED = 0x4000
_STAGE = 0x3000
_NAME_MASK = 0x0FFF
_SKIP_WORKTREE = 0x4000
_INTENT_TO_ADD = 0x2000
_UNUSUAL = _ASSUME_VALID | _STAGE | _EXTENDED
_ATTRIBUTES = b".gitattributes\0"
_REGULAR = 0o100644
_EXECUTABLE = 0o100755
_TYPE_EXEC = stat.S_IFMT(0o177777) | stat.S_IXUSR
_KIND = {_REGULAR: stat.S_IFREG, _EXECUTABLE: stat.S_IFREG | stat.S_IXUSR}
"""An entry's mode → the `st_mode & _TYPE_EXEC` of a file that can be its blob."""
_UNUSABLE_EXTENSIONS = (b"link", b"sdir")
"""Split index (entries live in another file) and sparse index (directories as entries)."""


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
        self._entries = NOTHING
        self._config: str | None = None
        """`core.autocrlf` and `core.attributesFile` as git lists them (None: not asked yet)."""

    def entries(self) -> Entries:
        """The index's usable entries below the folder. The index is read from one open
        descriptor and judged by that descriptor's stat (git replaces the file by a rename:
        what is read is one whole version of it)."""
        try:
            with self.repo.index.open("rb") as fh:
                st = os.fstat(fh.fileno())
                key = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                if key == self._key:
                    return self._entries
                data = fh.read()
        except OSError:
            self._key, self._entries = None, NOTHING
            return self._entries
        self._key, self._config = key, None
        self._entries = parse(data, self.repo.prefix, st.st_mtime_ns)
        return self._entries

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
            or self._entries.attributes
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


class Entries:
    """The usable entries below the folder of one version of the index, parsed lazily: a
    first pass only finds where each path's entry starts (a first snapshot pays one lookup
    per file it walks); an entry's stat and blob id are unpacked when its file is looked at."""

    def __init__(
        self,
        data: bytes,
        offsets: dict[str, int],
        oid_len: int,
        index_mtime_ns: int,
        attributes: bool = False,
    ) -> None:
        self._data = data
        self._offsets = offsets
        self._flags_at = 40 + oid_len
        self._unpack = struct.Struct(f">4I4xII8xI{oid_len}sH").unpack_from
        self._index_mtime_ns = index_mtime_ns
        self.attributes = attributes
        """Some `.gitattributes` is tracked (anywhere in the repository)."""

    def __len__(self) -> int:
        return len(self._offsets)

    def match(self, rel: str, st: os.stat_result) -> bytes | None:
        """The blob id of `rel` when its `lstat` is exactly what git recorded of it (mtime and
        ctime to the nanosecond, inode and size — git keeps 32 bits of each —, a regular
        file with the entry's exec bit) and the entry is usable and not racy: the file is
        that blob, by git status's own reasoning. (Called once per file walked.)"""
        at = self._offsets.get(rel)
        if at is None:
            return None
        data = self._data
        ctime_s, ctime_ns, mtime_s, mtime_ns, ino, mode, size, oid, flags = self._unpack(data, at)
        mtime = mtime_s * 1_000_000_000 + mtime_ns
        if (
            mtime != st.st_mtime_ns
            or mtime >= self._index_mtime_ns
            or ctime_s * 1_000_000_000 + ctime_ns != st.st_ctime_ns
            or ino != st.st_ino & 0xFFFFFFFF
            or size != st.st_size & 0xFFFFFFFF
            or _KIND.get(mode) != st.st_mode & _TYPE_EXEC
            or (flags & _UNUSUAL and not self._usable(at, flags))
        ):
            return None
        found: bytes = oid
        return found

    def oid(self, rel: str) -> str | None:
        """The blob a usable entry names, racy or not (it recognises a file read that has
        exactly its bytes)."""
        at = self._offsets.get(rel)
        if at is None:
            return None
        *_, mode, _size, oid, flags = self._unpack(self._data, at)
        if _KIND.get(mode) is None or not self._usable(at, flags):
            return None
        return bytes(oid).hex()

    def _usable(self, at: int, flags: int) -> bool:
        """Stage 0, not assume-unchanged, skip-worktree or intent-to-add."""
        if flags & (_ASSUME_VALID | _STAGE):
            return False
        if flags & _EXTENDED:
            more = at + self._flags_at + 2
            extended = self._data[more] << 8 | self._data[more + 1]
            return not extended & (_SKIP_WORKTREE | _INTENT_TO_ADD)
        return True

    def usable(self) -> dict[str, str]:
        """Every usable entry's blob id, by folder-relative path."""
        return {rel: oid for rel in self._offsets if (oid := self.oid(rel)) is not None}


NOTHING = Entries(b"", {}, 20, 0)


def parse(data: bytes, prefix: str, index_mtime_ns: int) -> Entries:
    """The entries below `prefix` of an index file's bytes (none when unusable)."""
    if len(data) < 12 + 20:
        return NOTHING
    signature, version, count = _HEAD.unpack_from(data)
    if signature != b"DIRC" or version not in (2, 3, 4):
        return NOTHING
    for oid_len in (20, 32):  # SHA-1 or SHA-256: the one whose layout ends at the checksum
        try:
            offsets, end, attributes = _offsets(data, version, count, oid_len, prefix)
        except (ValueError, IndexError):
            continue
        if end <= len(data) - oid_len and _extensions_fit(data, end, len(data) - oid_len):
            return Entries(data, offsets, oid_len, index_mtime_ns, attributes)
    return NOTHING


def _offsets(
    data: bytes, version: int, count: int, oid_len: int, prefix: str
) -> tuple[dict[str, int], int, bool]:
    """Each entry's path below `prefix` → where the entry starts; where the entries end; and
    whether some path is a `.gitattributes` (versions 2 and 3 keep whole names, NUL-padded:
    one search of the bytes; version 4 keeps what differs from the previous name: each
    name is looked at). Only the flags and the name are read here."""
    flags_at = 40 + oid_len
    found: dict[str, int] = {}
    pos = 12
    pre = prefix.encode("utf-8", "surrogateescape")
    cut = len(pre)
    previous = b""
    attributes = version < 4 and _ATTRIBUTES in data
    for _ in range(count):
        start = pos
        high = data[pos + flags_at]
        at = pos + flags_at + (4 if high & 0x40 else 2)  # extended flags: 2 bytes more
        if version == 4:
            strip, at = _varint(data, at)
            stop = data.index(b"\0", at)
            name = previous[: len(previous) - strip] + data[at:stop]
            previous, pos = name, stop + 1
            attributes = attributes or name.endswith(_ATTRIBUTES[:-1])
        else:
            length = (high & 0x0F) << 8 | data[pos + flags_at + 1]
            stop = at + length if length < _NAME_MASK else data.index(b"\0", at)
            name = data[at:stop]
            pos += (stop - pos + 8) & ~7  # NUL-padded to a multiple of 8 (at least one)
        if not cut or name.startswith(pre):
            found[name[cut:].decode("utf-8", "surrogateescape")] = start
    return found, pos, attributes


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


def _extensions_fit(data: bytes, pos: int, end: int) -> bool:
    """The extensions after the entries end exactly at the checksum (so the entries were read
    with the repository's hash length), and none makes the entries incomplete."""
    while pos + 8 <= end:
        signature = data[pos : pos + 4]
        size = int.from_bytes(data[pos + 4 : pos + 8])
        if signature in _UNUSABLE_EXTENSIONS:
            return False
        pos += 8 + size
    return pos == end


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
