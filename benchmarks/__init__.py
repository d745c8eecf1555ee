"""Speed benchmarks: `python -m benchmarks.ingest_speed` and `python -m benchmarks.search_latency`."""
