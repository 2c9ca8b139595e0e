"""Which workspace folder a request is about (PROTOCOL.md: the folder containing `uri`, else
`cwd`, else the first folder), and the file-URI/path conversions around it (as pygls makes
them, without importing it: the domain knows nothing of the LSP)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import attrs


class FolderError(ValueError):
    """The request names no usable folder."""


@attrs.frozen
class Folder:
    path: Path
    uri: str

    @classmethod
    def from_path(cls, path: Path) -> Folder:
        return cls(path, file_uri(os.fspath(path)))

    def relative(self, path: Path) -> str:
        try:
            rel = path.relative_to(self.path)
        except ValueError:
            return os.fspath(path)
        return rel.as_posix() if rel.parts else "."


def file_uri(path: str) -> str:
    """`file://` and the percent-encoded absolute path (a `//host/…` path keeps its host)."""
    host = ""
    if path.startswith("//"):
        end = path.find("/", 2)
        host, path = (path[2:], "/") if end == -1 else (path[2:end], path[end:])
    return f"file://{quote(host)}{quote(path if path.startswith('/') else '/' + path)}"


def uri_path(uri: str) -> str | None:
    """The path of a `file:` URI (None for another scheme)."""
    parts = urlparse(uri)
    if parts.scheme != "file":
        return None
    path = unquote(parts.path)
    return f"//{unquote(parts.netloc)}{path}" if parts.netloc and path else path


def to_path(value: str, what: str) -> Path:
    """A file URI or an absolute path → an absolute, normalised path."""
    if value.startswith("file:"):
        fs = uri_path(value)
        if fs is None:
            raise FolderError(f"{what}: cannot read file URI {_shown(value)!r}")
        path = Path(fs)
    elif "://" in value:
        raise FolderError(f"{what}: only file URIs are supported, got {_shown(value)!r}")
    else:
        path = Path(value)
    if not path.is_absolute():
        raise FolderError(f"{what}: expected a file URI or an absolute path, got {_shown(value)!r}")
    return Path(os.path.normpath(path))


class Workspace:
    """The workspace folders the client told us about, in order."""

    def __init__(self, folders: list[Folder]) -> None:
        self.folders = folders

    def containing(self, path: Path) -> Folder | None:
        best = None
        for folder in self.folders:
            inside = path == folder.path or folder.path in path.parents
            if inside and (best is None or len(folder.path.parts) > len(best.path.parts)):
                best = folder
        return best

    def resolve(self, uri: str | None, cwd: str | None) -> tuple[Folder, Path]:
        """The request's folder, and the directory its `$ …` commands run in. A `cwd` must be
        inside a workspace folder (also once symbolic links are followed): a directory outside
        them never becomes a folder. A `uri` outside them is not used (PROTOCOL.md: the folder
        is then the cwd's, else the first)."""
        cwd_path = to_path(cwd, "cwd") if cwd else None
        cwd_folder = None
        if cwd_path is not None:
            if not os.path.isdir(cwd_path):  # noqa: PTH112 (Path.is_dir raises on a huge name)
                raise FolderError(f"cwd: {_shown(cwd_path)} is not a directory")
            cwd_folder = self.inside(cwd_path, "cwd")
        if uri:
            folder = self.containing(to_path(uri, "uri"))
            if folder is not None:
                return folder, cwd_path or folder.path
        if cwd_folder is not None and cwd_path is not None:
            return cwd_folder, cwd_path
        if self.folders:
            return self.folders[0], self.folders[0].path
        raise FolderError("no workspace folder is open: open a folder to run intents in it")

    def inside(self, path: Path, what: str) -> Folder:
        """The folder holding `path`, lexically and once links are followed; else FolderError."""
        folder = self.containing(path)
        if folder is None:
            names = ", ".join(_shown(f.path) for f in self.folders[:5]) or "none is open"
            more = f" and {len(self.folders) - 5} more" if len(self.folders) > 5 else ""
            raise FolderError(
                f"{what}: {_shown(path)} is outside every workspace folder ({names}{more})"
            )
        real, base = os.path.realpath(path), os.path.realpath(folder.path)
        if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
            raise FolderError(
                f"{what}: {_shown(path)} leads outside its workspace folder "
                f"{_shown(folder.path)} (to {_shown(real)}, through a symbolic link)"
            )
        return folder


def _shown(path: str | Path, limit: int = 200) -> str:
    """A path in a message, cut so that a huge argument is not repeated back."""
    text = os.fspath(path)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
