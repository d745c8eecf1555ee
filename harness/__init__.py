"""Real servers and the Bot API emulator on free loopback ports, for the tests and the benchmarks.

Not installed and never imported by `bot`, `store` or `ingest` (tests/test_import_graph.py): it is tooling
that starts `chroma run`, `redis-server`, PostgreSQL, the emulator (node) and a round-robin proxy, and stops
them again. A tool that is not installed raises `NotInstalledError`, which the tests report as a skip.
"""

from __future__ import annotations


class NotInstalledError(RuntimeError):
    """A server or tool the harness needs is not installed here; the message says how to install it."""
