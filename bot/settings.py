"""The bot process's settings tree."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr

from bot.answering.settings import AnswerSettings, LLMSettings
from bot.coordination.settings import CoordinationSettings
from bot.records.settings import RecordsSettings
from bot.telegram.settings import TelegramSettings
from store.settings import BriefbotSettings


class BotSettings(BriefbotSettings):
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    records: RecordsSettings = Field(default_factory=RecordsSettings)
    coordination: CoordinationSettings = Field(default_factory=CoordinationSettings)

    def secret_values(self) -> list[str]:
        """Every configured secret, to be scrubbed from logs and from error reports sent to Telegram."""
        candidates = (
            self.telegram.token,
            self.telegram.webhook_secret,
            self.llm.api_key,
            self.records.url,
            self.coordination.redis_url,
        )
        own = [secret.get_secret_value() for secret in candidates if secret is not None]
        # A URL's password also appears alone (in a driver's message, or a URL rendered another way).
        passwords = [
            p for p in (_url_password(self.records.url), _url_password(self.coordination.redis_url)) if p
        ]
        return own + passwords + self.store.secret_values()


def _url_password(url: SecretStr | None) -> str | None:
    if url is None:
        return None
    return urlsplit(url.get_secret_value()).password
