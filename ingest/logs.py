"""Logging for the ingestion job: stderr only (stdout belongs to the JSON progress lines), secrets masked."""

from __future__ import annotations

import logsetup
from ingest.settings import IngestSettings


def configure_logging(settings: IngestSettings) -> None:
    secrets = settings.store.secret_values()
    logsetup.configure_logging(settings.log_level, settings.log_format, secrets=secrets)
