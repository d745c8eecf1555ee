"""Settings of the Telegram front end."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr


class TelegramSettings(BaseModel):
    token: SecretStr | None = Field(
        None, description="Bot token from @BotFather. Unset: console chat instead."
    )
    base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API base URL (tests point it at a local emulator)."
    )
    admin_ids: list[int] = Field(default_factory=list, description="User ids allowed to /reindex. JSON list.")
    allowed_user_ids: list[int] = Field(
        default_factory=list, description="If non-empty, only these users may ask. JSON list."
    )
    allowed_chat_ids: list[int] = Field(
        default_factory=list, description="If non-empty, only these chats (groups) may ask. JSON list."
    )
    channels: list[str] = Field(
        default_factory=list, description="Channel usernames (without @) whose posts are ingested. JSON list."
    )
    error_chat_id: int | None = Field(None, description="Chat that receives error details for admins.")
    questions_per_minute: int = Field(6, ge=1, description="Per-user rate limit.")
    backlog_max_age: int = Field(
        600,
        ge=0,
        description="Seconds a question sent while the bot was down stays worth answering at start; older"
        " ones are skipped, and only each user's last pending question per chat is answered. 0: drop the"
        " backlog.",
    )
    poll_interval: float = Field(0.0, ge=0.0, description="Seconds between getUpdates calls when polling.")
    webhook_url: str = Field("", description="Public HTTPS URL for webhook mode; empty: long polling.")
    webhook_secret: SecretStr | None = Field(
        None, description="Secret token Telegram sends with webhook calls."
    )
    webhook_listen: str = Field("0.0.0.0", description="Address the webhook server binds.")
    webhook_port: int = Field(8443, description="Port the webhook server binds.")
    webhook_path: str = Field("telegram", description="URL path the webhook server answers on.")
    webhook_max_connections: int = Field(
        40,
        ge=1,
        le=100,
        description="Webhook calls Telegram keeps open at once; each lasts until its update is handled.",
    )
    progress_every: float = Field(
        3.0, ge=0.5, description="Least seconds between two edits of the /reindex progress message."
    )
    sources_per_page: int = Field(8, ge=1, le=30, description="Briefs per page of /sources.")
    flood_retries: int = Field(
        3, ge=0, le=10, description="Times a message is retried after Telegram's flood control asks to wait."
    )
