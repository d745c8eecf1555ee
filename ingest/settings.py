"""Settings of the ingestion job."""

from __future__ import annotations

from pydantic import BaseModel, Field

from store.settings import BriefbotSettings


class IngestOptions(BaseModel):
    sources: list[str] = Field(
        default_factory=lambda: ["data/briefs"],
        description="What a plain `python -m ingest` (and the bot's /reindex) syncs: folders, files, feed or "
        "article URLs. JSON list in the environment.",
    )
    max_file_bytes: int = Field(
        5_000_000, ge=1_000, description="Files larger than this are skipped as huge."
    )
    follow_links: bool = Field(
        False,
        description="Follow symbolic links in source folders that point outside them (off: such links are "
        "skipped and listed in the run's summary).",
    )
    fetch_timeout: float = Field(20.0, gt=0, description="Seconds to wait for a feed or article URL.")
    user_agent: str = Field(
        "briefbot/0.1 (+https://github.com/briefbot)", description="User-Agent for fetches."
    )


class IngestSettings(BriefbotSettings):
    ingest: IngestOptions = Field(default_factory=IngestOptions)
