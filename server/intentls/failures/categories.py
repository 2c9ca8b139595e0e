"""The failure categories of PROTOCOL.md v1.1, fixed: clients and history group by them."""

from __future__ import annotations

import enum


class Category(enum.StrEnum):
    COMMAND_NOT_FOUND = "commandNotFound"
    FILE_NOT_FOUND = "fileNotFound"
    PERMISSION = "permission"
    USAGE = "usage"
    """Bad arguments to the command."""
    SYNTAX = "syntax"
    """In the code being run (an interpreted language, a Makefile, a shell script)."""
    DEPENDENCY = "dependency"
    """A missing module, package, header, library or crate."""
    COMPILE_ERROR = "compileError"
    TYPE_ERROR = "typeError"
    """A static type checker's verdict (mypy, tsc, pyright)."""
    LINT = "lint"
    TEST_FAILURE = "testFailure"
    NETWORK = "network"
    TIMEOUT = "timeout"
    RESOURCE = "resource"
    """Disk full, out of memory, too many files, killed by a signal."""
    CONFLICT = "conflict"
    """A git merge conflict, a lock held, a port in use, a file that exists."""
    INTERRUPTED = "interrupted"
    UNKNOWN = "unknown"


ERROR = "error"
WARNING = "warning"
