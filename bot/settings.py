"""The bot process's settings tree."""

from __future__ import annotations

from pydantic import Field

from bot.answering.settings import AnswerSettings, LLMSettings
from bot.telegram.settings import TelegramSettings
from store.settings import BriefbotSettings


class BotSettings(BriefbotSettings):
    answer: AnswerSettings = Field(default_factory=AnswerSettings)  # type: ignore[arg-type]
    llm: LLMSettings = Field(default_factory=LLMSettings)  # type: ignore[arg-type]
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)  # type: ignore[arg-type]

    def secret_values(self) -> list[str]:
        """Every configured secret, to be scrubbed from logs and from error reports sent to Telegram."""
        candidates = (self.telegram.token, self.telegram.webhook_secret, self.llm.api_key)
        own = [secret.get_secret_value() for secret in candidates if secret is not None]
        return own + self.store.secret_values()
