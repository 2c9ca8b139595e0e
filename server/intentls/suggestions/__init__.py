"""Proactive suggestions (docs/suggestions.md): providers propose, learning ranks, and one
renderer per face (code actions, run results, lenses, the CLI) shows them. Nothing here runs
anything: a suggestion is a command a person may take."""
