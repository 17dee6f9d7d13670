"""Benchmarks: `python -m bench` (or `make bench`) runs them and writes bench/RESULTS.md.

Never imported by the test suite: timing goals live here, not in assertions.
"""
