"""The ingestion job: load briefs from files, feeds and URLs, clean them, and sync them into the store."""
