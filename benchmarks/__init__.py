"""Benchmarks: ``python -m benchmarks.<name> --help``; figures go to docs/benchmarks.md."""
