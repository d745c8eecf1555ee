"""Logging for the ingestion job: stderr only (stdout belongs to the JSON progress lines), secrets masked."""

from __future__ import annotations

from ingest.settings import IngestSettings
from store import log_setup


def configure_logging(settings: IngestSettings) -> None:
    secrets = settings.store.secret_values()
    log_setup.configure_logging(settings.log_level, settings.log_format, secrets=secrets)
