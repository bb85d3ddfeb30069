"""Benchmarks: `make bench-ingest` (ingestion throughput); the load harness comes later."""
