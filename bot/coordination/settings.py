"""Settings of the coordination backend: where replicas share rate limits, locks and flood waits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator


class CoordinationSettings(BaseModel):
    backend: Literal["memory", "redis"] = Field(
        "memory",
        description="memory: limits, locks and flood waits live in this process (one replica). redis: shared"
        " by every replica through BRIEFBOT_COORDINATION__REDIS_URL.",
    )
    redis_url: SecretStr | None = Field(
        None,
        description="Redis URL for the redis backend, e.g. redis://:PASSWORD@redis:6379/0 (rediss://: TLS).",
    )
    lock_ttl: float = Field(
        30.0,
        ge=2.0,
        le=3600.0,
        description="Seconds a lock (a user's question, /reindex, an update, the poller) outlives a replica"
        " that died holding it; live holders renew it every third of this.",
    )
    key_prefix: str = Field(
        "briefbot", min_length=1, max_length=40, description="Prefix of every Redis key the bot writes."
    )

    @model_validator(mode="after")
    def _redis_needs_a_url(self) -> CoordinationSettings:
        if self.backend == "redis" and self.redis_url is None:
            raise ValueError("the redis backend needs BRIEFBOT_COORDINATION__REDIS_URL")
        return self
