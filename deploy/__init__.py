"""Deployment helpers that sit above every package: they may import `bot`, `ingest` and `store`.

Nothing here is installed with the wheel; the tools run from a checkout (`python -m deploy.settings_doc`).
"""
