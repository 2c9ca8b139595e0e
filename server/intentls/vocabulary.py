"""The protocol's names in one place (/work/shared/PROTOCOL.md, additions in docs/protocol.md):
command ids, notification names, code action kinds and warning kinds.

The editor clients keep their own copies (`editor-clients/nvim/lua/intentls/constants.lua`,
`editor-clients/vscode/src/constants.ts`); tests/unit/test_vocabulary.py checks that they match
this module and that every command they send is one the server advertises."""

from __future__ import annotations

import enum


class CommandId(enum.StrEnum):
    """`workspace/executeCommand` commands the server implements (and advertises)."""

    RUN = "intentls.run"
    PLAN = "intentls.plan"
    LIST = "intentls.list"
    CANCEL = "intentls.cancel"
    HISTORY = "intentls.history"
    STATS = "intentls.stats"
    UNDO = "intentls.undo"
    REDO = "intentls.redo"
    CHECKPOINT = "intentls.checkpoint"
    CHECKPOINTS = "intentls.checkpoints"
    ROLLBACK = "intentls.rollback"
    EXPLAIN = "intentls.explain"
    RUN_OUTPUT = "intentls.runOutput"
    """A run's full output shown in an editor tab (the quick fix "Show the run's output")."""
    OUTPUT = "intentls.output"
    """Where a run's full output is kept (and its text, or one step's)."""
    SUGGEST = "intentls.suggest"
    FEEDBACK = "intentls.feedback"


class Notification(enum.StrEnum):
    """Custom notifications: server to client, but `SET_TRUST`."""

    OUTPUT = "intentls/output"
    RUN_STARTED = "intentls/runStarted"
    RUN_FINISHED = "intentls/runFinished"
    SET_TRUST = "intentls/setTrust"
    """Client to server: the person's trust verdict for a folder (or every open one)."""


class ActionKind(enum.StrEnum):
    """`textDocument/codeAction` kinds the server offers (hierarchical: `intentls` asks for
    every `intentls.*` kind)."""

    UNDO = "intentls.undo"
    SUGGEST = "intentls.suggest"
    QUICKFIX = "quickfix"
    """LSP's own kind: fixes for the diagnostics a failed run published."""


class WarningKind(enum.StrEnum):
    """Every kind of warning the server sends (PROTOCOL.md names the first four; the rest are
    recorded in docs/protocol.md)."""

    PAST_FAILURE = "pastFailure"
    RISK = "risk"
    UNTRUSTED = "untrusted"
    AMBIGUOUS = "ambiguous"
    ORDERED = "ordered"
    """Steps were ordered because they touch the same paths."""
    FLAKY = "flaky"
    """The intent failed and then passed with nothing changed between."""
    PROPOSED_FIX = "proposedFix"
    """A fix for the failure, offered with an action that runs it (never run unasked)."""
    DRY_RUN = "dryRun"
    """Nothing was run; what would run."""
    UNDO = "undo"
    """Undo could not record (all of) what the run changed."""
    UNDO_GROUP = "undoGroup"
    """The run overlapped others in its folder: how they are undone."""
    ATOMIC = "atomic"
    """An atomic intent failed and its changes were undone."""
    CONFLICT = "conflict"
    """An undo left a path as it was."""
    RECOVERED = "recovered"
    """An undo a crash interrupted was finished at the next start."""
    UP_TO_DATE = "upToDate"
    """Steps were skipped as up to date (their output replayed)."""
    HISTORY = "history"
    """The history could not record the run (the disk is full): what it kept."""
