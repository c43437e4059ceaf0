"""Benchmarks that print figures (run each with ``python -m benchmarks.<name>``); not part of the tests."""
