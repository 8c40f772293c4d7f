"""Benchmarks, run by `make bench` (`python -m tests.benchmarks [NAME ...]`).

Every module `bench_*.py` here has a `main()`. It prints one JSON line per measurement itself,
or returns them (an iterable of dicts) for the runner to print. `NAME` arguments pick modules
whose name contains them, e.g. `python -m tests.benchmarks retrieval`.
"""
