"""Speed benchmarks, each a `python -m benchmarks.<name>` script that prints a table and can write JSON."""
