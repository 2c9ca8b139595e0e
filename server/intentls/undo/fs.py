"""Changing the workspace without ever following a symlink.

Every path is reached from the folder's own directory fd, one component at a time, with
`O_NOFOLLOW | O_DIRECTORY`: a symlink planted where a directory was (by a run, by anyone) makes
the restore of that path fail instead of writing outside the workspace.

A file that still exists as a regular file with one link is rewritten in place: creating an inode
and renaming it over the old one costs one to two orders of magnitude more on common filesystems
(ext4 allocates and flushes the new blocks on a rename over an existing file). A reader may see
a mix of the two contents for that moment; a crash in the middle leaves exactly such a mix, which
`is_mix` tells from a later edit so that recovery can finish the write. Other files and links
are created under a temporary name in their directory and renamed into place. A file with other
hard links is never written in place: the links may be outside the workspace (a package
manager's store)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

from intentls.undo.bounds import read_regular
from intentls.undo.store import State, digest

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class UnsafePath(OSError):
    """A component of the path is not a real directory (e.g. a symlink)."""


@contextlib.contextmanager
def parent_dir(root: Path, rel: str, create: bool) -> Iterator[tuple[int, str]]:
    """The fd of `rel`'s parent directory (reached without following links) and its name."""
    *dirs, name = rel.split("/")
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in dirs:
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, 0o755, dir_fd=fd)
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePath(exc.errno, f"{part} is {_what(fd, part)}", rel) from None
                raise
            os.close(fd)
            fd = child
        yield fd, name
    finally:
        os.close(fd)


def _what(fd: int, name: str) -> str:
    """What stands where a directory must be, for a message."""
    st = lstat_at(fd, name)
    if st is not None and stat.S_ISLNK(st.st_mode):
        return "a symbolic link (never followed)"
    return "not a directory"


def lstat_at(fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def apply_state(root: Path, rel: str, to: State | None, content: bytes | None) -> None:
    """Make `rel` be `to` (None: absent). `content` is the file's bytes when `to` is a file."""
    with parent_dir(root, rel, create=to is not None) as (fd, name):
        current = lstat_at(fd, name)
        is_dir = current is not None and stat.S_ISDIR(current.st_mode)
        if to is None:
            if current is None:
                return
            if is_dir:
                os.rmdir(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)
            return
        if to.kind == "dir":
            if current is not None and not is_dir:
                os.unlink(name, dir_fd=fd)
                current = None
            if current is None:
                os.mkdir(name, to.mode, dir_fd=fd)
            dfd = os.open(name, _DIR_FLAGS, dir_fd=fd)
            try:
                os.fchmod(dfd, to.mode)
            finally:
                os.close(dfd)
            return
        if to.kind == "file" and current is not None and _rewritable(current):
            assert content is not None
            _rewrite(fd, name, content, to.mode)
            return
        tmp = f".{name}.intentls-{uuid.uuid4().hex[:8]}"
        if to.kind == "link":
            assert to.target is not None
            os.symlink(to.target, tmp, dir_fd=fd)
        else:
            assert content is not None
            out = os.open(
                tmp,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=fd,
            )
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(out, view) :]
                os.fchmod(out, to.mode)
            except BaseException:
                os.close(out)
                os.unlink(tmp, dir_fd=fd)
                raise
            os.close(out)
        try:
            if is_dir:
                os.rmdir(name, dir_fd=fd)
            os.rename(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            os.unlink(tmp, dir_fd=fd)
            raise


def _rewritable(st: os.stat_result) -> bool:
    return stat.S_ISREG(st.st_mode) and st.st_nlink == 1


def _rewrite(fd: int, name: str, content: bytes, mode: int) -> None:
    out = os.open(name, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
    try:
        view = memoryview(content)
        offset = 0
        while offset < len(view):
            offset += os.pwrite(out, view[offset:], offset)
        os.ftruncate(out, len(content))
        os.fchmod(out, mode)
    finally:
        os.close(out)


def is_mix(data: bytes, old: bytes, new: bytes) -> bool:
    """`data` is what `_rewrite` of `new` over `old` leaves when cut short: new[:k] + old[k:]
    before the truncation, `new` after it."""
    if data == new:
        return True
    k = _common_prefix(data, new)
    return len(data) == max(k, len(old)) and data[k:] == old[k:]


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common prefix, comparing blocks before bytes."""
    limit = min(len(a), len(b))
    k, block = 0, 1 << 16
    while k < limit:
        end = min(k + block, limit)
        if a[k:end] == b[k:end]:
            k = end
        elif block > 1:
            block //= 16
        else:
            break
    return k


def read_at(fd: int, name: str) -> bytes:
    """The content of the regular file `name` in directory `fd`: no link followed, no FIFO or
    device opened (`bounds.read_regular`)."""
    st = os.lstat(name, dir_fd=fd)
    return read_regular(name, st, None, dir_fd=fd)


def read_state(root: Path, rel: str) -> tuple[State, bytes | None] | None:
    """One path's exact state and, for a file, its content, reached without following links;
    None when it is absent or cannot be reached (a link where a directory should be)."""
    try:
        with parent_dir(root, rel, create=False) as (fd, name):
            st = lstat_at(fd, name)
            if st is None:
                return None
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISDIR(st.st_mode):
                return State("dir", mode), None
            if stat.S_ISLNK(st.st_mode):
                return State("link", mode, None, os.readlink(name, dir_fd=fd)), None
            if not stat.S_ISREG(st.st_mode):
                return None
            data = read_at(fd, name)
            return State("file", mode, digest(data), None, len(data)), data
    except OSError:
        return None


def walk(root: Path, rel: str) -> Iterator[str]:
    """The paths below directory `rel` (relative to `root`, "/"-separated), directories
    entered without following links; nothing when `rel` is no directory."""
    try:
        with parent_dir(root, rel, create=False) as (fd, name):
            top = os.open(name, _DIR_FLAGS, dir_fd=fd)
    except OSError:
        return
    yield from _below(top, rel)


def _below(fd: int, rel: str) -> Iterator[str]:
    """Closes `fd`."""
    try:
        names = sorted(os.listdir(fd))
        for name in names:
            path = f"{rel}/{name}"
            yield path
            st = lstat_at(fd, name)
            if st is not None and stat.S_ISDIR(st.st_mode):
                try:
                    child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError:
                    continue
                yield from _below(child, path)
    finally:
        os.close(fd)
