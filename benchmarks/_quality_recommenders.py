"""The quality suite's recommender tasks (being built)."""

TASKS = []
