"""Settings of the records database: usage, votes, saved citations, unanswered questions."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class RecordsSettings(BaseModel):
    url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the records database shared by every replica, e.g."
        " postgresql+psycopg://briefbot:PASSWORD@postgres:5432/briefbot. Empty: the SQLite file"
        " <data_dir>/usage.sqlite3 of this process.",
    )
    pool_size: int = Field(5, ge=1, le=100, description="Connections each process keeps open to the server.")
