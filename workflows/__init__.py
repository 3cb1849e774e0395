"""Deterministic orchestration of OVOP nominations."""
