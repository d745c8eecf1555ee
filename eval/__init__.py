"""Retrieval evaluation: BEIR-layout loading, ranking metrics and the `python -m eval.retrieval` runner.

Lives outside the runtime packages: it drives the real store the way the bot does and measures what it
returns.
"""
