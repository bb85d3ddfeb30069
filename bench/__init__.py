"""Benchmarks: `make bench` (concurrency: `python -m bench.load`) and `make bench-ingest`."""
