"""Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp server) over httpx."""

from __future__ import annotations

import logging

import httpx

from store.embedding.base import Vectors, empty, normalise
from store.errors import EmbeddingFailed

logger = logging.getLogger(__name__)


class OpenAIEmbedder:
    """Calls `<base_url>/embeddings`. The dimension is learnt from the first answer (or probed)."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        batch_size: int = 32,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url or not model:
            raise EmbeddingFailed(
                "The openai embedding backend needs BRIEFBOT_STORE__EMBEDDING__BASE_URL and __MODEL."
            )
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._model = model
        self._batch_size = batch_size
        self._dim: int | None = None

    @property
    def name(self) -> str:
        return f"openai/{self._model}"

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self._call(["dimension probe"]).shape[1])
        return self._dim

    def embed_queries(self, texts: list[str]) -> Vectors:
        return self._run(texts)

    def embed_passages(self, texts: list[str]) -> Vectors:
        return self._run(texts)

    def _run(self, texts: list[str]) -> Vectors:
        if not texts:
            return empty(self.dim)
        parts = [self._call(texts[i : i + self._batch_size]) for i in range(0, len(texts), self._batch_size)]
        out = parts[0] if len(parts) == 1 else normalise([row for part in parts for row in part])
        self._dim = int(out.shape[1])
        return out

    def _call(self, texts: list[str]) -> Vectors:
        try:
            resp = self._client.post("/embeddings", json={"model": self._model, "input": texts})
        except httpx.HTTPError as exc:
            # The request URL is logged without headers, so the API key never reaches the log.
            logger.warning(
                "embedding endpoint unreachable url=%s error=%s", self._client.base_url, type(exc).__name__
            )
            raise EmbeddingFailed(
                "The embedding service cannot be reached right now; try again later."
            ) from exc
        if resp.status_code != 200:
            logger.warning("embedding endpoint status=%s", resp.status_code)
            raise EmbeddingFailed(f"The embedding service refused the request (HTTP {resp.status_code}).")
        try:
            data = sorted(resp.json()["data"], key=lambda row: row["index"])
            vectors = [row["embedding"] for row in data]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingFailed("The embedding service sent an answer briefbot cannot read.") from exc
        if len(vectors) != len(texts):
            raise EmbeddingFailed("The embedding service returned a different number of vectors than asked.")
        return normalise(vectors)

    def close(self) -> None:
        self._client.close()
