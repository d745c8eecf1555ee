"""Embedding backends behind one small interface, plus an on-disk cache and a llama-index adapter."""

from store.embedding.base import Embedder
from store.embedding.factory import build_embedder, register_backend

__all__ = ["Embedder", "build_embedder", "register_backend"]
