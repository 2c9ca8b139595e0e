"""Confinement: every path a built-in file or text tool touches lies inside a workspace folder.

Two layers. `Roots.resolve` turns a path as typed into its real path (symbolic links of the
parent directories resolved, `..` applied to real directories) and refuses it when that lies
outside every root: at plan time for a clear -32602, and again right before acting. `Guard` then
acts through directory file descriptors opened one component at a time from the root with
`O_NOFOLLOW`, so a symbolic link planted after the check cannot redirect the operation: the walk
fails instead of following it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import attrs

from intentls.tools.errors import CONFINEMENT, EXISTS, IO, NOT_FOUND, ToolError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class ConfinementError(ToolError):
    def __init__(self, message: str) -> None:
        super().__init__(CONFINEMENT, message)


@attrs.frozen
class Roots:
    """The real paths of the workspace folders."""

    paths: tuple[str, ...]

    @classmethod
    def of(cls, folders: Iterable[Path]) -> Roots:
        return cls(tuple(dict.fromkeys(os.path.realpath(f) for f in folders)))

    def root_of(self, real: str) -> str | None:
        best = None
        for root in self.paths:
            if (real == root or real.startswith(root.rstrip(os.sep) + os.sep)) and (
                best is None or len(root) > len(best)
            ):
                best = root
        return best

    def resolve(self, base: Path, given: str, follow_last: bool = False) -> Path:
        """`given` (relative to `base`, or absolute) → its real path inside a root.

        With `follow_last` false a final symbolic link is the object itself (delete, move, copy
        act on the link); with it true the link is followed (write, append, replace act on
        what it points to, which must be inside too)."""
        if "\0" in given:
            raise ConfinementError(f"{given!r} contains a NUL byte")
        joined = os.path.join(base, given)
        head, tail = os.path.split(joined.rstrip(os.sep) or os.sep)
        if follow_last or tail in ("", ".", ".."):
            real = os.path.realpath(joined)
        else:
            real = os.path.join(os.path.realpath(head), tail)
        if self.root_of(real) is None:
            raise ConfinementError(self._outside(given, joined, real))
        return Path(real)

    def _outside(self, given: str, joined: str, real: str) -> str:
        folders = ", ".join(self.paths) or "(none)"
        lexical = os.path.normpath(joined)
        if self.root_of(lexical) is not None:
            how = f"a symbolic link leads to {real}"
        elif os.path.isabs(given):
            how = "it is an absolute path elsewhere"
        else:
            how = f"'..' leads to {lexical}"
        return f"{given!r} is outside the workspace folders ({folders}): {how}; refused"


class Guard:
    """Acts on real paths inside the roots without ever following a symbolic link on the way."""

    def __init__(self, roots: Roots) -> None:
        self._roots = roots

    @contextlib.contextmanager
    def parent(
        self, real: Path, make_parents: Callable[[Path], None] | None = None
    ) -> Iterator[tuple[int, str]]:
        """A directory fd of `real`'s parent, reached from its root component by component
        with O_NOFOLLOW, and `real`'s last name. `make_parents(path)` is called before each
        missing parent is created (to record its inverse); without it a missing parent is
        `notFound`."""
        text = os.fspath(real)
        root = self._roots.root_of(text)
        if root is None:
            raise ConfinementError(f"{text} is outside the workspace folders; refused")
        rel = os.path.relpath(text, root)
        if rel == ".":
            raise ConfinementError(f"{text} is a workspace folder itself; refused")
        parts = rel.split(os.sep)
        fd = os.open(root, _DIR_FLAGS)
        try:
            here = Path(root)
            for part in parts[:-1]:
                here = here / part
                child = self._descend(fd, part, here, make_parents)
                os.close(fd)
                fd = child
            yield fd, parts[-1]
        finally:
            os.close(fd)

    def _descend(self, fd: int, name: str, path: Path, make: Callable[[Path], None] | None) -> int:
        """The fd of directory `name` in `fd` (which stays open)."""
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=fd)
        except FileNotFoundError:
            if make is None:
                raise ToolError(NOT_FOUND, f"{path} does not exist") from None
        except OSError as exc:
            raise _walk_error(path, exc) from None
        make(path)
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o777, dir_fd=fd)
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            raise _walk_error(path, exc) from None

    # ---- queries ---------------------------------------------------------------------------

    def lstat(self, real: Path) -> os.stat_result | None:
        """The entry itself (a link is not followed); None when it does not exist."""
        try:
            with self.parent(real) as (fd, name):
                return os.stat(name, dir_fd=fd, follow_symlinks=False)
        except ToolError as exc:
            if exc.category == NOT_FOUND:
                return None
            raise
        except FileNotFoundError:
            return None

    def read(self, real: Path) -> tuple[bytes, os.stat_result]:
        with self.parent(real) as (dir_fd, name):
            fd = _open(real, name, os.O_RDONLY, dir_fd)
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise ToolError(IO, f"{real} is not a regular file")
                with os.fdopen(os.dup(fd), "rb") as f:
                    return f.read(), st
            finally:
                os.close(fd)

    # ---- changes ---------------------------------------------------------------------------

    def write(
        self,
        real: Path,
        data: bytes,
        *,
        create: bool,
        exclusive: bool = False,
        append: bool = False,
        mode: int = 0o666,
        make_parents: Callable[[Path], None] | None = None,
    ) -> None:
        flags = os.O_WRONLY | (os.O_APPEND if append else os.O_TRUNC)
        if create:
            flags |= os.O_CREAT
        if exclusive:
            flags |= os.O_EXCL
        with self.parent(real, make_parents) as (dir_fd, name):
            fd = _open(real, name, flags, dir_fd, mode)
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise ToolError(IO, f"{real} is not a regular file")
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)

    def mkdir(self, real: Path, make_parents: Callable[[Path], None]) -> bool:
        """Create `real` and its missing parents; False when it already was a directory."""
        with self.parent(real, make_parents) as (fd, name):
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                make_parents(real)
                os.mkdir(name, 0o777, dir_fd=fd)
                return True
            if not stat.S_ISDIR(st.st_mode):
                raise ToolError(EXISTS, f"{real} exists and is not a directory")
            return False

    def rename(
        self,
        src: Path,
        dst: Path,
        make_parents: Callable[[Path], None] | None = None,
        replace: bool = False,
    ) -> None:
        with (
            self.parent(src) as (sfd, sname),
            self.parent(dst, make_parents) as (dfd, dname),
        ):
            if not replace:
                with contextlib.suppress(FileNotFoundError):
                    os.stat(dname, dir_fd=dfd, follow_symlinks=False)
                    raise ToolError(EXISTS, f"{dst} already exists")
            try:
                os.rename(sname, dname, src_dir_fd=sfd, dst_dir_fd=dfd)
            except FileNotFoundError:
                raise ToolError(NOT_FOUND, f"{src} does not exist") from None
            except OSError as exc:
                raise ToolError(IO, f"cannot move {src} to {dst}: {exc.strerror}") from None

    def to_trash(self, real: Path, trash: Path) -> None:
        """Move `real` (file, link or whole directory) out of the workspace into `trash`."""
        with self.parent(real) as (fd, name):
            try:
                os.rename(name, trash, src_dir_fd=fd)
                return
            except FileNotFoundError:
                raise ToolError(NOT_FOUND, f"{real} does not exist") from None
            except OSError as exc:
                if exc.errno != errno.EXDEV:
                    raise ToolError(IO, f"cannot remove {real}: {exc.strerror}") from None
            # Another filesystem: copy into the trash, then remove without following links.
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                trash.mkdir()
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
                try:
                    _copy_dir_contents(child, trash)
                finally:
                    os.close(child)
                shutil.rmtree(name, dir_fd=fd)
            else:
                _copy_entry_out(fd, name, trash, st)
                os.unlink(name, dir_fd=fd)

    def remove(self, real: Path) -> None:
        with self.parent(real) as (fd, name):
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)

    def copy(self, src: Path, dst: Path, make_parents: Callable[[Path], None]) -> int:
        """Copy a file (mode kept), a symbolic link (as a link) or a directory tree; returns
        the number of files copied. `dst` must not exist."""
        with (
            self.parent(src) as (sfd, sname),
            self.parent(dst, make_parents) as (dfd, dname),
        ):
            try:
                st = os.stat(sname, dir_fd=sfd, follow_symlinks=False)
            except FileNotFoundError:
                raise ToolError(NOT_FOUND, f"{src} does not exist") from None
            return _copy_entry(sfd, sname, dfd, dname, st)


def _open(real: Path, name: str, flags: int, dir_fd: int, mode: int = 0o666) -> int:
    try:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode, dir_fd=dir_fd)
    except FileNotFoundError:
        raise ToolError(NOT_FOUND, f"{real} does not exist") from None
    except FileExistsError:
        raise ToolError(EXISTS, f"{real} already exists") from None
    except IsADirectoryError:
        raise ToolError(IO, f"{real} is a directory") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfinementError(
                f"{real} is a symbolic link (it appeared after planning); not followed"
            ) from None
        raise ToolError(IO, f"{real}: {exc.strerror}") from None


def _walk_error(path: Path, exc: OSError) -> ToolError:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        return ConfinementError(
            f"{path} is no longer a plain directory (a symbolic link?); not followed"
        )
    return ToolError(IO, f"{path}: {exc.strerror}")


def _copy_entry(sfd: int, sname: str, dfd: int, dname: str, st: os.stat_result) -> int:
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(sname, dir_fd=sfd), dname, dir_fd=dfd)
        return 1
    if stat.S_ISDIR(st.st_mode):
        os.mkdir(dname, stat.S_IMODE(st.st_mode) | 0o700, dir_fd=dfd)
        src = os.open(sname, _DIR_FLAGS, dir_fd=sfd)
        dst = os.open(dname, _DIR_FLAGS, dir_fd=dfd)
        try:
            count = 0
            for entry in sorted(os.listdir(src)):
                count += _copy_entry(
                    src, entry, dst, entry, os.stat(entry, dir_fd=src, follow_symlinks=False)
                )
            os.fchmod(dst, stat.S_IMODE(st.st_mode))
            return count
        finally:
            os.close(src)
            os.close(dst)
    if not stat.S_ISREG(st.st_mode):
        return 0  # sockets, fifos, devices: not copied
    src = os.open(sname, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=sfd)
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        dst = os.open(dname, flags, 0o600, dir_fd=dfd)
        try:
            while chunk := os.read(src, 1 << 20):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(dst, view) :]
            os.fchmod(dst, stat.S_IMODE(st.st_mode))
        finally:
            os.close(dst)
    finally:
        os.close(src)
    return 1


def _copy_dir_contents(src_fd: int, dst: Path) -> None:
    dst_fd = os.open(dst, _DIR_FLAGS)
    try:
        for entry in os.listdir(src_fd):
            st = os.stat(entry, dir_fd=src_fd, follow_symlinks=False)
            _copy_entry(src_fd, entry, dst_fd, entry, st)
    finally:
        os.close(dst_fd)


def _copy_entry_out(fd: int, name: str, dst: Path, st: os.stat_result) -> None:
    dst_fd = os.open(dst.parent, _DIR_FLAGS)
    try:
        _copy_entry(fd, name, dst_fd, dst.name, st)
    finally:
        os.close(dst_fd)
