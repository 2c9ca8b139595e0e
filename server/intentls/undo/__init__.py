"""Undo anything: workspace snapshots, undo/redo, checkpoints and rollback (docs/undo.md)."""
