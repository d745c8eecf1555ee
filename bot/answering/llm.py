"""Any LLM through llama-index: build it from settings, stream a JSON reply, know its context window.

Providers (each an optional extra, imported only when used):
    openai_like  llama-index-llms-openai-like   OpenAI, vLLM, llama.cpp server, LM Studio, Ollama's /v1
    ollama       llama-index-llms-ollama        Ollama's own API (schema-constrained `format`)
    anthropic    llama-index-llms-anthropic     Claude (no schema support: JSON by prompt, read tolerantly)

Any other llama-index LLM can be passed in as `ChatModel(settings, llm=...)`.

Structured output on OpenAI-compatible endpoints: `response_format` of type json_schema (OpenAI, vLLM,
llama.cpp's own server), then json_object with a schema (llama-cpp-python's server), then none; with
`structured="auto"` the first form the endpoint accepts is remembered.

    GenerationError      no usable reply: unreachable, timed out, refused the request, not installed
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from bot.answering.settings import LLMSettings

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT_WINDOW = 4096
_FORMS = ("json_schema", "json_object", "none")


class GenerationError(Exception):
    """The endpoint did not produce a usable reply (unreachable, timed out, errored, or not installed)."""


def build_llm(settings: LLMSettings, context_window: int) -> Any:
    """The llama-index LLM the settings name (raises GenerationError when its package is missing)."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    try:
        if settings.provider == "ollama":
            from llama_index.llms.ollama import Ollama  # type: ignore[import-not-found,import-untyped,unused-ignore]

            return Ollama(
                model=settings.model,
                base_url=settings.base_url or "http://127.0.0.1:11434",
                request_timeout=settings.timeout,
                temperature=settings.temperature,
                context_window=context_window,
                additional_kwargs={"num_predict": settings.max_tokens},
            )
        if settings.provider == "anthropic":
            from llama_index.llms.anthropic import Anthropic  # type: ignore[import-not-found,import-untyped,unused-ignore]

            extra: dict[str, Any] = {"base_url": settings.base_url} if settings.base_url else {}
            return Anthropic(
                model=settings.model or "claude-haiku-4-5",
                api_key=key,
                max_tokens=settings.max_tokens,
                temperature=settings.temperature,
                timeout=settings.timeout,
                max_retries=0,
                **extra,
            )
        from llama_index.llms.openai_like import OpenAILike  # type: ignore[import-untyped,unused-ignore]

        return OpenAILike(
            model=settings.model or "default",
            api_base=settings.base_url,
            api_key=key or "not-needed",
            timeout=settings.timeout,
            max_retries=0,  # a retry would double the wait the timeout promises
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            is_chat_model=True,
            context_window=context_window,
        )
    except ImportError as exc:
        extra_name = {"openai_like": "llm"}.get(settings.provider, settings.provider)
        raise GenerationError(f"install briefbot[{extra_name}] for generated answers") from exc


def reported_context_window(settings: LLMSettings) -> int | None:
    """The context window the endpoint itself reports, if it does (llama.cpp, vLLM, LM Studio, Ollama)."""
    base = settings.base_url.rstrip("/")
    try:
        if settings.provider == "ollama":
            reply = httpx.post(
                f"{base or 'http://127.0.0.1:11434'}/api/show", json={"model": settings.model}, timeout=5
            )
            info = reply.json().get("model_info", {})
            found = [v for k, v in info.items() if k.endswith(".context_length") and isinstance(v, int)]
            return found[0] if found else None
        if settings.provider != "openai_like" or not base:
            return None
        models = httpx.get(f"{base}/models", timeout=5).json().get("data", [])
        for entry in models:
            for where in (entry, entry.get("meta") or {}):
                for name in ("max_model_len", "context_length", "n_ctx", "n_ctx_train", "max_context_length"):
                    if isinstance(where.get(name), int):
                        return int(where[name])
        props = httpx.get(f"{base.removesuffix('/v1')}/props", timeout=5)
        if props.status_code == 200:
            n_ctx = props.json().get("default_generation_settings", {}).get("n_ctx")
            return int(n_ctx) if isinstance(n_ctx, int) else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    return None


class ChatModel:
    """A llama-index LLM built on first use, streaming JSON replies within a deadline."""

    def __init__(self, settings: LLMSettings, llm: Any = None) -> None:
        self._settings = settings
        self._llm = llm
        self._window = settings.context_window or None
        self._forms = [settings.structured] if settings.structured != "auto" else list(_FORMS)
        self._lock = threading.Lock()

    @property
    def settings(self) -> LLMSettings:
        return self._settings

    def context_window(self) -> int:
        """Tokens the model reads at once: the setting, the endpoint's report, llama-index's table, 4096."""
        with self._lock:
            if self._window is None:
                reported = reported_context_window(self._settings)
                if reported is None and self._llm is not None:
                    reported = getattr(getattr(self._llm, "metadata", None), "context_window", None)
                if reported is None and self._settings.provider == "anthropic":
                    reported = build_llm(self._settings, DEFAULT_CONTEXT_WINDOW).metadata.context_window
                self._window = int(reported or DEFAULT_CONTEXT_WINDOW)
                logger.info("llm context window=%s", self._window)
            return self._window

    def _client(self) -> Any:
        if self._llm is None:
            self._llm = build_llm(self._settings, self.context_window())
        return self._llm

    def stream(self, system: str, user: str, schema: dict[str, Any]) -> Iterator[str]:
        """Text deltas of the reply; GenerationError when no usable reply comes within the timeout."""
        from llama_index.core.llms import ChatMessage

        llm = self._client()
        messages = [ChatMessage(role="system", content=system), ChatMessage(role="user", content=user)]
        deadline = time.monotonic() + self._settings.timeout
        while True:
            form = self._forms[0]
            try:
                chunks = llm.stream_chat(messages, **self._structured(form, schema))
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise GenerationError("timed out while streaming")
                    if chunk.delta:
                        yield chunk.delta
                return
            except GenerationError:
                raise
            except Exception as exc:  # the clients raise many types; any of them means "no reply"
                if _rejected(exc) and len(self._forms) > 1 and form != "none":
                    logger.info("endpoint refused structured output form=%s; trying the next", form)
                    self._forms.pop(0)
                    continue
                logger.warning("generation failed error=%s", type(exc).__name__)
                raise GenerationError(type(exc).__name__) from exc

    def _structured(self, form: str, schema: dict[str, Any]) -> dict[str, Any]:
        if form == "none":
            return {}
        if self._settings.provider == "ollama":
            return {"format": schema}
        if self._settings.provider != "openai_like":
            return {}
        if form == "json_schema":
            return {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "answer", "schema": schema, "strict": True},
                }
            }
        return {"response_format": {"type": "json_object", "schema": schema}}


def _rejected(exc: Exception) -> bool:
    """The endpoint refused the request's form: HTTP 400/422, or (llama-cpp-python) a 500 naming it."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    return status in (400, 422) or (status == 500 and "response_format" in str(exc))
