"""Offline evaluations on real data (`make predict-eval`): figures, not assertions."""
