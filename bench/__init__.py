"""Benchmarks of infokg: ``python -m bench`` from the repository root (see README.md)."""
