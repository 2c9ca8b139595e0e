"""Turning intent text into a `Plan`: grammar, the intent catalog, and the planner."""
