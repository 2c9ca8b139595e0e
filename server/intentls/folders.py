"""Which workspace folder a request is about (PROTOCOL.md: the folder containing `uri`, else
`cwd`, else the first folder), and the file-URI/path conversions around it."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
from pygls.uris import from_fs_path, to_fs_path


class FolderError(ValueError):
    """The request names no usable folder."""


@attrs.frozen
class Folder:
    path: Path
    uri: str

    @classmethod
    def from_path(cls, path: Path) -> Folder:
        return cls(path, from_fs_path(os.fspath(path)) or path.as_uri())

    def relative(self, path: Path) -> str:
        try:
            rel = path.relative_to(self.path)
        except ValueError:
            return os.fspath(path)
        return rel.as_posix() if rel.parts else "."


def to_path(value: str, what: str) -> Path:
    """A file URI or an absolute path → an absolute, normalised path."""
    if value.startswith("file:"):
        fs = to_fs_path(value)
        if fs is None:
            raise FolderError(f"{what}: cannot read file URI {value!r}")
        path = Path(fs)
    elif "://" in value:
        raise FolderError(f"{what}: only file URIs are supported, got {value!r}")
    else:
        path = Path(value)
    if not path.is_absolute():
        raise FolderError(f"{what}: expected a file URI or an absolute path, got {value!r}")
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
        """The request's folder, and the directory its `$ …` commands run in."""
        cwd_path = to_path(cwd, "cwd") if cwd else None
        if cwd_path is not None and not cwd_path.is_dir():
            raise FolderError(f"cwd: {cwd_path} is not a directory")
        if uri:
            folder = self.containing(to_path(uri, "uri"))
            if folder is not None:
                return folder, cwd_path or folder.path
        if cwd_path is not None:
            return self.containing(cwd_path) or Folder.from_path(cwd_path), cwd_path
        if self.folders:
            return self.folders[0], self.folders[0].path
        raise FolderError(
            "no workspace folder is open and the request has no cwd: pass cwd or open a folder"
        )
