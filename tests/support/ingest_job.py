"""A stand-in for `python -m ingest --json`: what the bot's runner reads, with noise it must skip."""

from __future__ import annotations

FAKE_INGEST = """
import json, sys, time
rebuild = "--rebuild" in sys.argv
print("starting up (not JSON)", flush=True)
for done in range(3):
    print(json.dumps({"event": "progress", "done": done, "total": 3, "stage": "embedding"}), flush=True)
print("{broken json", flush=True)
print(json.dumps({"event": "summary", "added": ["a"] if rebuild else [], "updated": ["b"], "unchanged": [],
                  "removed": ["c", "d"], "failed": [["x.md", "empty file"]], "chunks_embedded": 4,
                  "seconds": 1.5}), flush=True)
"""
