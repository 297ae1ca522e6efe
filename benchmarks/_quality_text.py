"""The quality suite's text tasks (being built)."""

TASKS = []
