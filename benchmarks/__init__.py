"""Benchmarks (not timed tests): ``python -m benchmarks.kernel [--quick]``."""
